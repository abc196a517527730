/**
 * AWS Security Hub findings in the AWS Security Finding Format (ASFF), as
 * Security Hub exports them to EventBridge or S3, mapped to Detection Finding.
 * GuardDuty's API-call details in `ProductFields` become the evidence.
 */
import {
  CLASS,
  compact,
  createEvent,
  eventObject,
  failure,
  fallbackTime,
  isRecord,
  parseIsoMillis,
  SEVERITY,
  toStringValue,
  unmappedFields,
} from './ocsf.js';
import type { NormalizeResult, RawEvent } from './types.js';

export const ASFF = 'aws-securityhub';

/** True for an ASFF finding: `SchemaVersion`, `ProductArn` and `GeneratorId`. */
export function isAsffObject(object: Record<string, unknown>): boolean {
  return 'SchemaVersion' in object && 'ProductArn' in object && 'GeneratorId' in object;
}

/** OCSF severity_id by ASFF `Severity.Label`. */
const SEVERITIES: Readonly<Record<string, number>> = {
  INFORMATIONAL: SEVERITY.INFORMATIONAL,
  LOW: SEVERITY.LOW,
  MEDIUM: SEVERITY.MEDIUM,
  HIGH: SEVERITY.HIGH,
  CRITICAL: SEVERITY.CRITICAL,
};

/** Detection Finding `status_id` by ASFF `Workflow.Status`. */
const WORKFLOW_STATUS: Readonly<Record<string, [number, string]>> = {
  NEW: [1, 'New'],
  NOTIFIED: [2, 'In Progress'],
  SUPPRESSED: [3, 'Suppressed'],
  RESOLVED: [4, 'Resolved'],
};

const MAPPED_FIELDS = new Set([
  'AwsAccountId',
  'CompanyName',
  'CreatedAt',
  'Description',
  'FirstObservedAt',
  'GeneratorId',
  'Id',
  'LastObservedAt',
  'ProductArn',
  'ProductName',
  'Region',
  'Resources',
  'SchemaVersion',
  'Severity',
  'SourceUrl',
  'Title',
  'Types',
  'UpdatedAt',
  'Workflow',
  'ProductFields',
]);

const API_CALL = 'aws/guardduty/service/action/awsApiCallAction/';

export function normalizeAsff(input: RawEvent): NormalizeResult {
  const parsed = eventObject(input);
  if ('reason' in parsed) return failure(ASFF, `Security Hub finding ${parsed.reason}`);
  const record = parsed.object;
  const findingId = toStringValue(record.Id);
  if (findingId === undefined) return failure(ASFF, 'Security Hub finding has no Id');
  const severity = isRecord(record.Severity) ? toStringValue(record.Severity.Label) : undefined;
  const workflow = isRecord(record.Workflow) ? toStringValue(record.Workflow.Status) : undefined;
  const status = workflow === undefined ? undefined : WORKFLOW_STATUS[workflow];
  const fields = isRecord(record.ProductFields) ? record.ProductFields : {};
  const originalTime = toStringValue(record.UpdatedAt) ?? toStringValue(record.CreatedAt);
  const createdAt = toStringValue(record.CreatedAt);
  const updatedAt = toStringValue(record.UpdatedAt);
  const title = toStringValue(record.Title);
  const resources = Array.isArray(record.Resources) ? record.Resources.filter(isRecord) : [];
  const event = createEvent({
    classUid: CLASS.DETECTION_FINDING,
    // A finding updated after its creation is an Update of it.
    activityId: createdAt !== undefined && updatedAt !== undefined && updatedAt > createdAt ? 2 : 1,
    severityId:
      severity === undefined ? SEVERITY.UNKNOWN : (SEVERITIES[severity] ?? SEVERITY.OTHER),
    time: parseIsoMillis(originalTime) ?? fallbackTime(input),
    originalTime,
    message: title,
    product: compact({
      name: toStringValue(record.ProductName) ?? 'Security Hub',
      vendor_name: toStringValue(record.CompanyName) ?? 'AWS',
      uid: toStringValue(record.ProductArn),
      feature: { uid: toStringValue(record.GeneratorId) },
    }) as { name: string; vendor_name: string },
    metadata: compact({
      uid: findingId,
      log_version: toStringValue(record.SchemaVersion),
      profiles: ['cloud'],
    }),
    attributes: compact({
      status_id: status?.[0],
      status: status?.[1],
      finding_info: compact({
        uid: findingId,
        title,
        desc: toStringValue(record.Description),
        types: Array.isArray(record.Types) ? record.Types : undefined,
        src_url: toStringValue(record.SourceUrl),
        created_time: parseIsoMillis(createdAt),
        modified_time: parseIsoMillis(updatedAt),
        first_seen_time: parseIsoMillis(record.FirstObservedAt),
        last_seen_time: parseIsoMillis(record.LastObservedAt),
      }),
      cloud: compact({
        provider: 'AWS',
        region: toStringValue(record.Region),
        account: record.AwsAccountId ? { uid: String(record.AwsAccountId) } : undefined,
      }),
      resources:
        resources.length > 0
          ? resources.map((resource) =>
              compact({
                uid: toStringValue(resource.Id),
                type: toStringValue(resource.Type),
                region: toStringValue(resource.Region),
                cloud_partition: toStringValue(resource.Partition),
                data: resource.Details === undefined ? undefined : JSON.stringify(resource.Details),
              }),
            )
          : undefined,
      evidences: apiCallEvidence(fields),
    }),
    unmapped: unmappedFields(record, MAPPED_FIELDS),
  });
  addFindingObservables(event);
  return { ok: true, event, normalizer: ASFF };
}

/** GuardDuty's `awsApiCallAction` product fields as an evidence with the API and the caller. */
function apiCallEvidence(fields: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const operation = toStringValue(fields[`${API_CALL}api`]);
  if (operation === undefined) return undefined;
  const remote = `${API_CALL}remoteIpDetails/`;
  const lat = Number(fields[`${remote}geoLocation/lat`]);
  const lon = Number(fields[`${remote}geoLocation/lon`]);
  const location = compact({
    city: toStringValue(fields[`${remote}city/cityName`]),
    country: toStringValue(fields[`${remote}country/countryName`]),
    coordinates: Number.isFinite(lat) && Number.isFinite(lon) ? [lon, lat] : undefined,
  });
  const ip = toStringValue(fields[`${remote}ipAddressV4`]);
  return [
    compact({
      api: compact({
        operation,
        service: compact({ name: toStringValue(fields[`${API_CALL}serviceName`]) }),
      }),
      src_endpoint:
        ip === undefined
          ? undefined
          : compact({
              ip,
              location: Object.keys(location).length > 0 ? location : undefined,
            }),
    }),
  ];
}

/** Adds the evidence IPs and resource uids, which the generic observables do not cover. */
function addFindingObservables(event: Record<string, unknown>): void {
  const observables = (event.observables ?? []) as Record<string, unknown>[];
  for (const evidence of (event.evidences ?? []) as Record<string, unknown>[]) {
    const ip = isRecord(evidence.src_endpoint) ? evidence.src_endpoint.ip : undefined;
    if (typeof ip === 'string') {
      observables.push({
        name: 'evidences[].src_endpoint.ip',
        type_id: 2,
        type: 'IP Address',
        value: ip,
      });
    }
  }
  for (const resource of (event.resources ?? []) as Record<string, unknown>[]) {
    if (typeof resource.uid === 'string') {
      observables.push({
        name: 'resources[].uid',
        type_id: 10,
        type: 'Resource UID',
        value: resource.uid,
      });
    }
  }
  if (observables.length > 0) event.observables = observables;
}
