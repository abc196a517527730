/**
 * Okta System Log events (`/api/v1/logs`): sign-ins become Authentication, user
 * lifecycle and group membership changes Account Change and Group Management,
 * threat detections Detection Findings, and every other event API Activity.
 */
import {
  CLASS,
  compact,
  createEvent,
  type EventSpec,
  eventObject,
  failure,
  fallbackTime,
  isRecord,
  merge,
  parseIsoMillis,
  SEVERITY,
  STATUS,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const OKTA = 'okta';

const PRODUCT = { name: 'Okta System Log', vendor_name: 'Okta' };

/** True for a JSON object that looks like an Okta System Log event. */
export function isOktaObject(object: Record<string, unknown>): boolean {
  return (
    typeof object.eventType === 'string' &&
    'published' in object &&
    'uuid' in object &&
    isRecord(object.actor)
  );
}

/** OCSF severity_id by Okta `severity`. */
const SEVERITIES: Readonly<Record<string, number>> = {
  DEBUG: SEVERITY.INFORMATIONAL,
  INFO: SEVERITY.INFORMATIONAL,
  WARN: SEVERITY.MEDIUM,
  ERROR: SEVERITY.HIGH,
};

/** OCSF status_id by Okta `outcome.result`. */
const OUTCOMES: Readonly<Record<string, number>> = {
  SUCCESS: STATUS.SUCCESS,
  ALLOW: STATUS.SUCCESS,
  FAILURE: STATUS.FAILURE,
  DENY: STATUS.FAILURE,
  CHALLENGE: STATUS.OTHER,
  SKIPPED: STATUS.OTHER,
  UNKNOWN: STATUS.UNKNOWN,
};

/** Account Change activity_id by Okta event type. */
const ACCOUNT_ACTIVITY: Readonly<Record<string, number>> = {
  'user.lifecycle.create': 1,
  'user.lifecycle.activate': 2,
  'user.lifecycle.reactivate': 2,
  'user.lifecycle.unsuspend': 2,
  'user.account.update_password': 3,
  'user.account.reset_password': 4,
  'user.lifecycle.deactivate': 5,
  'user.lifecycle.suspend': 5,
  'user.lifecycle.delete.initiated': 6,
  'user.lifecycle.delete.completed': 6,
  'user.account.lock': 9,
  'user.account.lock.limit': 9,
  'user.mfa.factor.activate': 10,
  'user.mfa.factor.deactivate': 11,
  'user.mfa.factor.reset_all': 11,
};

/** Group Management activity_id by Okta event type. */
const GROUP_ACTIVITY: Readonly<Record<string, number>> = {
  'group.privilege.grant': 1,
  'group.privilege.revoke': 2,
  'group.user_membership.add': 3,
  'group.user_membership.remove': 4,
  'group.lifecycle.delete': 5,
  'group.lifecycle.create': 6,
};

const FINDING_TYPES = new Set([
  'security.threat.detected',
  'security.attack.start',
  'security.breached_credential.detected',
  'user.account.report_suspicious_activity_by_enduser',
]);

/** API Activity activity_id from the last word of an Okta event type. */
const API_VERBS: Readonly<Record<string, number>> = {
  create: 1,
  add: 1,
  read: 2,
  get: 2,
  list: 2,
  view: 2,
  update: 3,
  change: 3,
  activate: 3,
  deactivate: 3,
  revoke: 4,
  delete: 4,
  remove: 4,
};

const MAPPED_FIELDS = new Set([
  'uuid',
  'published',
  'eventType',
  'displayMessage',
  'severity',
  'outcome',
  'actor',
  'client',
  'target',
  'authenticationContext',
]);

export function normalizeOkta(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(OKTA, `Okta ${parsed.reason}`);
  const record = parsed.object;
  const eventType = toStringValue(record.eventType);
  if (eventType === undefined) return failure(OKTA, 'Okta event has no eventType');

  const outcome = isRecord(record.outcome) ? record.outcome : {};
  const result = toStringValue(outcome.result);
  const reason = toStringValue(outcome.reason);
  const actor = oktaUser(record.actor);
  const targets = Array.isArray(record.target) ? record.target.filter(isRecord) : [];
  const targetUser = oktaUser(targets.find((target) => target.type === 'User'));
  const classification = classify(eventType, record, actor, targetUser, reason);
  const originalTime = toStringValue(record.published);
  const context = isRecord(record.authenticationContext) ? record.authenticationContext : {};
  const event = createEvent(
    merge(classification as unknown as Record<string, unknown>, {
      severityId: SEVERITIES[toStringValue(record.severity) ?? ''] ?? SEVERITY.UNKNOWN,
      statusId: result === undefined ? undefined : (OUTCOMES[result] ?? STATUS.OTHER),
      statusDetail: reason,
      time: parseIsoMillis(originalTime) ?? fallbackTime(input),
      originalTime,
      message: toStringValue(record.displayMessage) ?? eventType,
      product: PRODUCT,
      metadata: compact({ uid: toStringValue(record.uuid), event_code: eventType }),
      attributes: merge(
        {
          actor: actor ? { user: actor } : undefined,
          src_endpoint: clientEndpoint(record.client),
          http_request: userAgentOf(record.client),
          session: compact({ uid: toStringValue(context.externalSessionId) }),
        },
        classification.attributes,
      ),
      unmapped: unmappedFields(record, MAPPED_FIELDS),
    }) as unknown as EventSpec,
  );
  return { ok: true, event, normalizer: OKTA };
}

interface Classification {
  classUid: number;
  activityId: number;
  activityName?: string;
  attributes: Record<string, unknown>;
}

function classify(
  eventType: string,
  record: Record<string, unknown>,
  actor: Record<string, unknown> | undefined,
  targetUser: Record<string, unknown> | undefined,
  reason: string | undefined,
): Classification {
  if (eventType === 'user.session.start' || eventType.startsWith('user.authentication.')) {
    return {
      classUid: CLASS.AUTHENTICATION,
      activityId: 1,
      attributes: { user: targetUser ?? actor },
    };
  }
  if (eventType === 'user.session.end') {
    return {
      classUid: CLASS.AUTHENTICATION,
      activityId: 2,
      attributes: { user: targetUser ?? actor },
    };
  }
  const accountActivity = ACCOUNT_ACTIVITY[eventType];
  if (accountActivity !== undefined) {
    return {
      classUid: CLASS.ACCOUNT_CHANGE,
      activityId: accountActivity,
      attributes: { user: targetUser ?? actor },
    };
  }
  const groupActivity = GROUP_ACTIVITY[eventType];
  if (groupActivity !== undefined) {
    const targets = Array.isArray(record.target) ? record.target.filter(isRecord) : [];
    const group = targets.find((target) => target.type === 'UserGroup');
    return {
      classUid: CLASS.GROUP_MANAGEMENT,
      activityId: groupActivity,
      attributes: {
        group: group
          ? compact({ uid: toStringValue(group.id), name: toStringValue(group.displayName) })
          : undefined,
        user: targetUser,
      },
    };
  }
  if (FINDING_TYPES.has(eventType)) {
    return {
      classUid: CLASS.DETECTION_FINDING,
      activityId: 1,
      attributes: {
        finding_info: compact({
          uid: toStringValue(record.uuid),
          title: reason ?? toStringValue(record.displayMessage) ?? eventType,
          types: [eventType],
        }),
      },
    };
  }
  const verb = eventType.slice(eventType.lastIndexOf('.') + 1);
  return {
    classUid: CLASS.API_ACTIVITY,
    activityId: API_VERBS[verb] ?? 99,
    activityName: eventType,
    attributes: { api: { operation: eventType } },
  };
}

/** Maps an Okta actor or target of type User to an OCSF user. */
function oktaUser(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value) || value.type !== 'User') return undefined;
  const login = toStringValue(value.alternateId);
  return compact({
    uid: toStringValue(value.id),
    name: toStringValue(value.displayName) ?? login,
    email_addr: login?.includes('@') ? login : undefined,
    type: 'User',
    type_id: 1,
  });
}

function clientEndpoint(client: unknown): Record<string, unknown> | undefined {
  if (!isRecord(client)) return undefined;
  const geo = isRecord(client.geographicalContext) ? client.geographicalContext : {};
  const point = isRecord(geo.geolocation) ? geo.geolocation : {};
  const location = compact({
    city: toStringValue(geo.city),
    country: toStringValue(geo.country),
    region: toStringValue(geo.state),
    postal_code: toStringValue(geo.postalCode),
    lat: typeof point.lat === 'number' ? point.lat : undefined,
    long: typeof point.lon === 'number' ? point.lon : undefined,
  });
  const endpoint = compact({
    ip: toStringValue(client.ipAddress),
    location: Object.keys(location).length > 0 ? location : undefined,
  });
  return Object.keys(endpoint).length > 0 ? endpoint : undefined;
}

function userAgentOf(client: unknown): Record<string, unknown> | undefined {
  const agent = isRecord(client) && isRecord(client.userAgent) ? client.userAgent : undefined;
  const raw = toStringValue(agent?.rawUserAgent);
  return raw === undefined || raw === 'unknown' ? undefined : { user_agent: raw };
}
