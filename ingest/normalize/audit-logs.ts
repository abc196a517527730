/**
 * Audit logs of control planes, mapped to API Activity: the GitHub enterprise
 * and organization audit log (as audit log streaming and the REST API deliver
 * it) and the Kubernetes API server audit log (`audit.k8s.io/v1` Event objects).
 */
import {
  CLASS,
  compact,
  createEvent,
  endpoint,
  eventObject,
  failure,
  fallbackTime,
  isRecord,
  parseIsoMillis,
  statusFromResponseCode,
  toInteger,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const GITHUB_AUDIT = 'github-audit';
export const KUBERNETES_AUDIT = 'kubernetes-audit';

/** True for a GitHub audit log entry: `action`, `actor` and a GitHub document id or org. */
export function isGitHubAuditObject(object: Record<string, unknown>): boolean {
  return (
    typeof object.action === 'string' &&
    'actor' in object &&
    ('_document_id' in object || 'business' in object || 'org' in object) &&
    ('@timestamp' in object || 'created_at' in object)
  );
}

/** True for a Kubernetes audit event. */
export function isKubernetesAuditObject(object: Record<string, unknown>): boolean {
  return object.kind === 'Event' && String(object.apiVersion).startsWith('audit.k8s.io/');
}

/** API Activity activity_id by GitHub `operation_type`. */
const GITHUB_OPERATIONS: Readonly<Record<string, number>> = {
  create: 1,
  access: 2,
  modify: 3,
  remove: 4,
};

const GITHUB_FIELDS = new Set([
  '@timestamp',
  'created_at',
  '_document_id',
  'action',
  'actor',
  'actor_id',
  'actor_ip',
  'user_agent',
  'operation_type',
  'request_id',
  'org',
  'repo',
  'user',
]);

export function normalizeGitHubAudit(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(GITHUB_AUDIT, `GitHub audit event ${parsed.reason}`);
  const record = parsed.object;
  const action = toStringValue(record.action);
  if (action === undefined) return failure(GITHUB_AUDIT, 'GitHub audit event has no action');
  const stamp = record['@timestamp'] ?? record.created_at;
  const time = typeof stamp === 'number' ? stamp : parseIsoMillis(stamp);
  const operation = toStringValue(record.operation_type);
  const activityId = operation === undefined ? 99 : (GITHUB_OPERATIONS[operation] ?? 99);
  const actor = toStringValue(record.actor);
  const repo = toStringValue(record.repo);
  const org = toStringValue(record.org);
  const target = toStringValue(record.user);
  const resources = compact({
    repo: repo === undefined ? undefined : { name: repo, type: 'repository' },
    org: org === undefined ? undefined : { name: org, type: 'organization' },
  });
  const event = createEvent({
    classUid: CLASS.API_ACTIVITY,
    activityId,
    activityName: operation ?? action,
    time: time !== undefined && Number.isFinite(time) ? Math.round(time) : fallbackTime(input),
    originalTime: stamp === undefined ? undefined : String(stamp),
    message: [actor, action, repo ?? org].filter(Boolean).join(' '),
    product: { name: 'GitHub Audit Log', vendor_name: 'GitHub' },
    metadata: compact({ uid: toStringValue(record._document_id), event_code: action }),
    attributes: compact({
      actor:
        actor === undefined
          ? undefined
          : { user: compact({ name: actor, uid: toStringValue(record.actor_id) }) },
      user:
        target === undefined
          ? undefined
          : compact({ name: target, uid: toStringValue(record.user_id) }),
      src_endpoint: endpoint(record.actor_ip),
      http_request: record.user_agent ? { user_agent: record.user_agent } : undefined,
      api: compact({
        operation: action,
        service: { name: 'GitHub' },
        request: compact({ uid: toStringValue(record.request_id) }),
      }),
      resources: Object.values(resources).length > 0 ? Object.values(resources) : undefined,
    }),
    unmapped: unmappedFields(record, GITHUB_FIELDS),
  });
  return { ok: true, event, normalizer: GITHUB_AUDIT };
}

/** API Activity activity_id by Kubernetes verb. */
const KUBERNETES_VERBS: Readonly<Record<string, number>> = {
  create: 1,
  get: 2,
  list: 2,
  watch: 2,
  update: 3,
  patch: 3,
  delete: 4,
  deletecollection: 4,
};

const KUBERNETES_FIELDS = new Set([
  'kind',
  'apiVersion',
  'auditID',
  'requestURI',
  'verb',
  'user',
  'sourceIPs',
  'userAgent',
  'objectRef',
  'responseStatus',
  'requestReceivedTimestamp',
  'stageTimestamp',
]);

export function normalizeKubernetesAudit(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed)
    return failure(KUBERNETES_AUDIT, `Kubernetes audit event ${parsed.reason}`);
  const record = parsed.object;
  const verb = toStringValue(record.verb);
  if (verb === undefined) return failure(KUBERNETES_AUDIT, 'Kubernetes audit event has no verb');
  const originalTime =
    toStringValue(record.requestReceivedTimestamp) ?? toStringValue(record.stageTimestamp);
  const user = isRecord(record.user) ? record.user : {};
  const object = isRecord(record.objectRef) ? record.objectRef : undefined;
  const response = isRecord(record.responseStatus) ? record.responseStatus : {};
  const code = toInteger(response.code);
  const sourceIps = Array.isArray(record.sourceIPs) ? record.sourceIPs : [];
  const groups = Array.isArray(user.groups)
    ? user.groups.filter((group) => typeof group === 'string')
    : [];
  const resourceName = object === undefined ? undefined : toStringValue(object.name);
  const resourceType =
    object === undefined
      ? undefined
      : [toStringValue(object.resource), toStringValue(object.subresource)]
          .filter(Boolean)
          .join('/');
  const event = createEvent({
    classUid: CLASS.API_ACTIVITY,
    activityId: KUBERNETES_VERBS[verb] ?? 99,
    activityName: verb,
    statusId: statusFromResponseCode(code),
    statusDetail: toStringValue(response.reason) ?? toStringValue(response.message),
    time: parseIsoMillis(originalTime) ?? fallbackTime(input),
    originalTime,
    message:
      `${toStringValue(user.username) ?? 'unknown'} ${verb} ${toStringValue(record.requestURI) ?? ''}`.trim(),
    product: { name: 'Kubernetes', vendor_name: 'Kubernetes' },
    metadata: compact({
      uid: toStringValue(record.auditID),
      event_code: verb,
      log_level: toStringValue(record.level),
    }),
    attributes: compact({
      actor: {
        user: compact({
          name: toStringValue(user.username),
          uid: toStringValue(user.uid),
          groups: groups.length > 0 ? groups.map((name) => ({ name })) : undefined,
        }),
      },
      src_endpoint: endpoint(sourceIps[0]),
      http_request: compact({
        user_agent: toStringValue(record.userAgent),
        url: record.requestURI ? { path: record.requestURI } : undefined,
      }),
      api: compact({
        operation: verb,
        version: object === undefined ? undefined : toStringValue(object.apiVersion),
        service: {
          name:
            object === undefined ? 'kube-apiserver' : (toStringValue(object.apiGroup) ?? 'core'),
        },
        request: compact({ uid: toStringValue(record.auditID) }),
        response: compact({
          code,
          message: toStringValue(response.message),
          error: toStringValue(response.reason),
        }),
      }),
      resources:
        object === undefined
          ? undefined
          : [
              compact({
                name: resourceName,
                type: resourceType,
                namespace: toStringValue(object.namespace),
              }),
            ],
    }),
    unmapped: unmappedFields(record, KUBERNETES_FIELDS),
  });
  return { ok: true, event, normalizer: KUBERNETES_AUDIT };
}
