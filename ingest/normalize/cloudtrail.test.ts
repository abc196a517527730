import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

function cloudTrail(fields: Record<string, unknown>): Json {
  const record = {
    eventVersion: '1.08',
    eventTime: '2024-02-01T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: {
      type: 'IAMUser',
      userName: 'alice',
      arn: 'arn:aws:iam::1:user/alice',
      accountId: '1',
    },
    eventID: 'e-1',
    eventType: 'AwsApiCall',
    ...fields,
  };
  const result = normalize({
    event: record,
    sourcetype: 'aws:cloudtrail',
    source: 's',
    host: 'h',
    index: 'main',
    receivedAt: 0,
  });
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('CloudTrail classes', () => {
  const cases: [string, string, number, number][] = [
    ['iam.amazonaws.com', 'CreateUser', 3001, 1],
    ['iam.amazonaws.com', 'DeleteUser', 3001, 6],
    ['iam.amazonaws.com', 'AttachUserPolicy', 3001, 7],
    ['iam.amazonaws.com', 'DetachUserPolicy', 3001, 8],
    ['iam.amazonaws.com', 'AddUserToGroup', 3006, 3],
    ['iam.amazonaws.com', 'ListUsers', 6003, 2],
    ['sts.amazonaws.com', 'AssumeRole', 3002, 1],
    ['signin.amazonaws.com', 'ConsoleLogin', 3002, 1],
    ['ec2.amazonaws.com', 'RunInstances', 6003, 1],
    ['ec2.amazonaws.com', 'ModifyInstanceAttribute', 6003, 3],
    ['ec2.amazonaws.com', 'TerminateInstances', 6003, 4],
    ['s3.amazonaws.com', 'GetObject', 6003, 2],
  ];
  for (const [eventSource, eventName, classUid, activityId] of cases) {
    test(`${eventName} on ${eventSource}`, () => {
      const event = cloudTrail({ eventSource, eventName, requestParameters: { userName: 'bob' } });
      expect(event.class_uid).toBe(classUid);
      expect(event.activity_id).toBe(activityId);
      expect(event.api.operation).toBe(eventName);
      expect(event.actor.user.name).toBe('alice');
    });
  }

  test('unknown verb with readOnly', () => {
    const event = cloudTrail({
      eventSource: 'x.amazonaws.com',
      eventName: 'Frobnicate',
      readOnly: true,
    });
    expect(event.activity_id).toBe(2);
  });

  test('unknown verb as Other', () => {
    const event = cloudTrail({ eventSource: 'x.amazonaws.com', eventName: 'Frobnicate' });
    expect(event.activity_id).toBe(99);
    expect(event.activity_name).toBe('Frobnicate');
  });
});

describe('CloudTrail attributes', () => {
  test('AttachUserPolicy target and policy', () => {
    const event = cloudTrail({
      eventName: 'AttachUserPolicy',
      requestParameters: {
        userName: 'bob',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    });
    expect(event.user).toEqual({ name: 'bob' });
    expect(event.policy).toEqual({
      uid: 'arn:aws:iam::aws:policy/AdministratorAccess',
      name: 'AdministratorAccess',
    });
  });

  test('errorCode marks failure', () => {
    const event = cloudTrail({
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      errorCode: 'AccessDenied',
      errorMessage: 'Access Denied',
    });
    expect(event.status_id).toBe(2);
    expect(event.status_detail).toBe('Access Denied');
    expect(event.api.response.error).toBe('AccessDenied');
    expect(event.message).toBe('GetObject on s3.amazonaws.com failed: AccessDenied');
  });

  test('failed console login', () => {
    const event = cloudTrail({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      responseElements: { ConsoleLogin: 'Failure' },
      additionalEventData: { MFAUsed: 'No' },
    });
    expect(event.class_uid).toBe(3002);
    expect(event.status_id).toBe(2);
    expect(event.is_mfa).toBe(false);
    expect(event.user.name).toBe('alice');
  });

  test('service caller as domain', () => {
    const event = cloudTrail({ sourceIPAddress: 'ec2.amazonaws.com' });
    expect(event.src_endpoint).toEqual({ domain: 'ec2.amazonaws.com' });
  });

  test('time and unmapped fields', () => {
    const event = cloudTrail({ '@version': '1', vpcEndpointId: 'vpce-1' });
    expect(event.time).toBe(Date.UTC(2024, 1, 1, 10));
    expect(event.metadata.original_time).toBe('2024-02-01T10:00:00Z');
    expect(event.unmapped).toEqual({ '@version': '1', vpcEndpointId: 'vpce-1' });
    expect(event.cloud).toEqual({ provider: 'AWS', region: 'us-east-1' });
  });

  test('userIdentity that is not an object', () => {
    const result = normalize({
      event: { eventVersion: '1.08', eventSource: 'x', eventName: 'y', userIdentity: 'root' },
      sourcetype: 'aws:cloudtrail',
      source: 's',
      host: 'h',
      index: 'main',
      receivedAt: 0,
    });
    expect(result).toEqual({
      ok: false,
      reason: 'CloudTrail userIdentity is a string, expected an object',
      normalizer: 'cloudtrail',
    });
  });
});
