/**
 * AWS CloudTrail records: console sign-ins and STS role assumption become
 * Authentication, IAM user and group changes become Account Change and Group
 * Management, and every other call becomes API Activity.
 */
import {
  CLASS,
  compact,
  createEvent,
  describeValue,
  type EventSpec,
  eventObject,
  failure,
  fallbackTime,
  isIpAddress,
  isRecord,
  merge,
  parseIsoMillis,
  STATUS,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const CLOUDTRAIL = 'cloudtrail';

/** True for a JSON object that looks like one CloudTrail record. */
export function isCloudTrailObject(object: Record<string, unknown>): boolean {
  return 'eventVersion' in object && 'eventSource' in object;
}

/** Account Change activity_id by IAM API call. */
const ACCOUNT_CHANGE_ACTIVITY: Readonly<Record<string, number>> = {
  CreateUser: 1,
  CreateRole: 1,
  CreateLoginProfile: 1,
  UpdateLoginProfile: 3,
  ChangePassword: 3,
  DeleteLoginProfile: 6,
  DeleteUser: 6,
  DeleteRole: 6,
  AttachUserPolicy: 7,
  PutUserPolicy: 7,
  AttachRolePolicy: 7,
  PutRolePolicy: 7,
  DetachUserPolicy: 8,
  DeleteUserPolicy: 8,
  DetachRolePolicy: 8,
  DeleteRolePolicy: 8,
  EnableMFADevice: 10,
  DeactivateMFADevice: 11,
  UpdateUser: 99,
  CreateAccessKey: 99,
  DeleteAccessKey: 99,
  UpdateAccessKey: 99,
};

/** Group Management activity_id by IAM API call. */
const GROUP_ACTIVITY: Readonly<Record<string, number>> = {
  AttachGroupPolicy: 1,
  PutGroupPolicy: 1,
  DetachGroupPolicy: 2,
  DeleteGroupPolicy: 2,
  AddUserToGroup: 3,
  RemoveUserFromGroup: 4,
  DeleteGroup: 5,
  CreateGroup: 6,
};

const STS_LOGONS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

/** API Activity activity_id from the verb that starts a CloudTrail event name. */
const API_VERBS: readonly (readonly [RegExp, number])[] = [
  [/^(?:Create|Run|Register|Allocate|Import|Copy|Launch|Issue|Request)(?=[A-Z]|$)/, 1],
  [/^(?:Describe|Get|List|Head|Lookup|Search|Select|Scan|Query|BatchGet|Check|View)(?=[A-Z]|$)/, 2],
  [
    /^(?:Update|Modify|Put|Set|Attach|Detach|Associate|Disassociate|Enable|Disable|Start|Stop|Reboot|Change|Add|Replace|Tag|Untag|Reset|Restore|Authorize|Apply)(?=[A-Z]|$)/,
    3,
  ],
  [/^(?:Delete|Terminate|Remove|Deregister|Release|Revoke|Cancel|Purge)(?=[A-Z]|$)/, 4],
];

const MAPPED_FIELDS = new Set([
  'eventVersion',
  'eventSource',
  'eventName',
  'eventTime',
  'eventType',
  'eventID',
  'eventCategory',
  'userIdentity',
  'sourceIPAddress',
  'userAgent',
  'awsRegion',
  'requestParameters',
  'responseElements',
  'requestID',
  'errorCode',
  'errorMessage',
  'recipientAccountId',
  'additionalEventData',
]);

export function normalizeCloudTrail(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(CLOUDTRAIL, `CloudTrail ${parsed.reason}`);
  const record = parsed.object;
  if (Array.isArray(record.Records)) {
    return failure(
      CLOUDTRAIL,
      `CloudTrail file with ${record.Records.length} Records: send each record as its own event`,
    );
  }
  const eventName = toStringValue(record.eventName);
  const eventSource = toStringValue(record.eventSource);
  if (eventName === undefined || eventSource === undefined) {
    return failure(CLOUDTRAIL, 'CloudTrail record has no eventName or eventSource');
  }
  if (record.userIdentity !== undefined && !isRecord(record.userIdentity)) {
    return failure(
      CLOUDTRAIL,
      `CloudTrail userIdentity is ${describeValue(record.userIdentity)}, expected an object`,
    );
  }
  const request = isRecord(record.requestParameters) ? record.requestParameters : {};
  const response = isRecord(record.responseElements) ? record.responseElements : {};
  const errorCode = toStringValue(record.errorCode);
  const consoleResult = toStringValue(response.ConsoleLogin);
  const failed = errorCode !== undefined || consoleResult === 'Failure';
  const originalTime = toStringValue(record.eventTime) ?? toStringValue(record['@timestamp']);

  const classification = classify(eventName, eventSource, record, request, response);
  const event = createEvent(
    merge(classification as unknown as Record<string, unknown>, {
      severityId: 1,
      statusId: failed ? STATUS.FAILURE : STATUS.SUCCESS,
      statusDetail: toStringValue(record.errorMessage),
      time: parseIsoMillis(originalTime) ?? fallbackTime(input),
      originalTime,
      message: failed
        ? `${eventName} on ${eventSource} failed: ${errorCode ?? consoleResult}`
        : `${eventName} on ${eventSource}`,
      product: compact({
        name: 'CloudTrail',
        vendor_name: 'AWS',
        version: toStringValue(record.eventVersion),
        feature: record.eventCategory ? { name: record.eventCategory } : undefined,
      }) as { name: string; vendor_name: string },
      metadata: compact({
        uid: toStringValue(record.eventID),
        event_code: toStringValue(record.eventType),
        profiles: ['cloud'],
      }),
      attributes: merge(classification.attributes, {
        actor: actorOf(record.userIdentity),
        src_endpoint: sourceEndpoint(record),
        http_request: record.userAgent ? { user_agent: record.userAgent } : undefined,
        api: compact({
          operation: eventName,
          service: { name: eventSource },
          request: compact({
            uid: toStringValue(record.requestID),
            data: record.requestParameters ?? undefined,
          }),
          response: compact({
            data: record.responseElements ?? undefined,
            error: errorCode,
            message: toStringValue(record.errorMessage),
          }),
        }),
        cloud: compact({
          provider: 'AWS',
          region: toStringValue(record.awsRegion),
          account: record.recipientAccountId
            ? { uid: String(record.recipientAccountId) }
            : undefined,
        }),
        status_code: errorCode,
      }),
      unmapped: unmappedFields(record, MAPPED_FIELDS),
    }) as unknown as EventSpec,
  );
  return { ok: true, event, normalizer: CLOUDTRAIL };
}

interface Classification {
  classUid: number;
  activityId: number;
  activityName?: string;
  attributes: Record<string, unknown>;
}

function classify(
  eventName: string,
  eventSource: string,
  record: Record<string, unknown>,
  request: Record<string, unknown>,
  response: Record<string, unknown>,
): Classification {
  if (eventName === 'ConsoleLogin') {
    const identity = isRecord(record.userIdentity) ? record.userIdentity : {};
    const extra = isRecord(record.additionalEventData) ? record.additionalEventData : {};
    return {
      classUid: CLASS.AUTHENTICATION,
      activityId: 1,
      attributes: {
        user: compact({
          name: identityName(identity),
          uid: toStringValue(identity.arn),
          uid_alt: toStringValue(identity.principalId),
          type: toStringValue(identity.type),
        }),
        is_mfa: extra.MFAUsed === undefined ? undefined : extra.MFAUsed === 'Yes',
        dst_endpoint: extra.LoginTo ? { svc_name: extra.LoginTo } : undefined,
      },
    };
  }
  if (eventSource === 'sts.amazonaws.com' && STS_LOGONS.has(eventName)) {
    return {
      classUid: CLASS.AUTHENTICATION,
      activityId: 1,
      attributes: {
        user: compact({
          name: toStringValue(request.roleSessionName),
          uid: toStringValue(request.roleArn),
        }),
      },
    };
  }
  if (eventSource === 'iam.amazonaws.com') {
    const user = iamTarget(request, response);
    const accountActivity = ACCOUNT_CHANGE_ACTIVITY[eventName];
    if (accountActivity !== undefined) {
      return {
        classUid: CLASS.ACCOUNT_CHANGE,
        activityId: accountActivity,
        activityName: eventName,
        attributes: { user, policy: policyOf(request) },
      };
    }
    const groupActivity = GROUP_ACTIVITY[eventName];
    if (groupActivity !== undefined) {
      return {
        classUid: CLASS.GROUP_MANAGEMENT,
        activityId: groupActivity,
        attributes: {
          group: compact({ name: toStringValue(request.groupName) }),
          user: request.userName ? user : undefined,
          privileges: request.policyArn ? [String(request.policyArn)] : undefined,
        },
      };
    }
  }
  return {
    classUid: CLASS.API_ACTIVITY,
    activityId: apiActivity(eventName, record.readOnly),
    activityName: eventName,
    attributes: {},
  };
}

function apiActivity(eventName: string, readOnly: unknown): number {
  for (const [verb, activityId] of API_VERBS) {
    if (verb.test(eventName)) return activityId;
  }
  return readOnly === true || readOnly === 'true' ? 2 : 99;
}

/** Returns the IAM user or role that an IAM call changed. */
function iamTarget(
  request: Record<string, unknown>,
  response: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const created = isRecord(response.user)
    ? response.user
    : isRecord(response.role)
      ? response.role
      : {};
  const user = compact({
    name: toStringValue(request.userName) ?? toStringValue(request.roleName),
    uid: toStringValue(created.arn),
    uid_alt: toStringValue(created.userId) ?? toStringValue(created.roleId),
  });
  return Object.keys(user).length > 0 ? user : undefined;
}

function policyOf(request: Record<string, unknown>): Record<string, unknown> | undefined {
  const arn = toStringValue(request.policyArn);
  const name = toStringValue(request.policyName);
  if (arn === undefined && name === undefined) return undefined;
  return compact({ uid: arn, name: name ?? arn?.slice(arn.lastIndexOf('/') + 1) });
}

/** Name of the identity that made the call: IAM user name, role session or service. */
function identityName(identity: Record<string, unknown>): string | undefined {
  const userName = toStringValue(identity.userName);
  if (userName !== undefined) return userName;
  const arn = toStringValue(identity.arn);
  if (identity.type === 'AssumedRole' && arn !== undefined) {
    return arn.slice(arn.lastIndexOf('/') + 1);
  }
  if (identity.type === 'Root') return 'root';
  return toStringValue(identity.invokedBy);
}

function actorOf(userIdentity: unknown): Record<string, unknown> | undefined {
  if (!isRecord(userIdentity)) return undefined;
  const context = isRecord(userIdentity.sessionContext) ? userIdentity.sessionContext : {};
  const issuer = isRecord(context.sessionIssuer) ? context.sessionIssuer : {};
  const attributes = isRecord(context.attributes) ? context.attributes : {};
  const user = compact({
    name: identityName(userIdentity),
    type: toStringValue(userIdentity.type),
    uid: toStringValue(userIdentity.arn),
    uid_alt: toStringValue(userIdentity.principalId),
    credential_uid: toStringValue(userIdentity.accessKeyId),
    account: userIdentity.accountId ? { uid: String(userIdentity.accountId) } : undefined,
  });
  const mfa = attributes.mfaAuthenticated;
  const session = compact({
    issuer: toStringValue(issuer.arn),
    created_time: parseIsoMillis(attributes.creationDate),
    is_mfa: mfa === undefined ? undefined : mfa === true || mfa === 'true',
  });
  return compact({
    user: Object.keys(user).length > 0 ? user : undefined,
    session: Object.keys(session).length > 0 ? session : undefined,
    invoked_by: toStringValue(userIdentity.invokedBy),
  });
}

/** `sourceIPAddress` is an IP for callers and a service name (`ec2.amazonaws.com`) for AWS services. */
function sourceEndpoint(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const source = toStringValue(record.sourceIPAddress);
  if (source === undefined) return undefined;
  return isIpAddress(source) ? { ip: source } : { domain: source };
}
