/**
 * Windows Security log events, in the XML rendering (`XmlWinEventLog`, one
 * `<Event>` element per event) and in the classic text rendering
 * (`WinEventLog`, `Key=Value` header lines and a multi-line Message). Both are
 * read into the same EventData names, then mapped by EventID.
 */
import { XMLParser } from 'fast-xml-parser';
import {
  CLASS,
  compact,
  createEvent,
  endpoint,
  failure,
  fallbackTime,
  isRecord,
  parseIsoMillis,
  STATUS,
  toInteger,
  toStringValue,
} from './ocsf.js';
import type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';
import { readTextEvent } from './windows-text.js';

export const WINDOWS_XML = 'windows-xml';
export const WINDOWS_TEXT = 'windows-text';

const PRODUCT = { name: 'Microsoft Windows', vendor_name: 'Microsoft' };
const WINDOWS_OS = { name: 'Windows', type: 'Windows', type_id: 100 };

/** One Windows event, reduced to what the mapping needs. */
export interface WindowsEvent {
  eventId: number;
  time: number | undefined;
  originalTime: string | undefined;
  computer: string | undefined;
  channel: string | undefined;
  recordId: string | undefined;
  /** Success or failure from the Audit Success and Audit Failure keywords, when present. */
  statusId: number | undefined;
  message: string | undefined;
  /** EventData values by their XML `Name`. */
  data: Record<string, string>;
  /** Source fields with no EventData name. */
  extra: Record<string, unknown>;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'Data',
});

/** Keyword bits of the System/Keywords mask. */
const AUDIT_SUCCESS = 0x0020000000000000n;
const AUDIT_FAILURE = 0x0010000000000000n;

/** True for text that starts like a Windows XML event. */
export function isWindowsXml(text: string): boolean {
  return text.trimStart().startsWith('<Event') && text.includes('<System');
}

export function normalizeWindowsXml(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') {
    return failure(WINDOWS_XML, 'Windows XML event is not text');
  }
  const parsed = readXmlEvent(input.event);
  if ('reason' in parsed) return failure(WINDOWS_XML, parsed.reason);
  return { ok: true, event: mapWindowsEvent(parsed.event, input), normalizer: WINDOWS_XML };
}

function readXmlEvent(text: string): { event: WindowsEvent } | { reason: string } {
  // The parser accepts truncated documents without an error, so the closing tag
  // is checked first. NOTE: mismatched inner tags still parse. XMLValidator catches
  // them, but it made the security.xml corpus run about 1.5 times slower.
  if (!text.trimEnd().endsWith('</Event>')) {
    return { reason: 'invalid Windows XML: the event does not end with </Event> (truncated?)' };
  }
  let document: unknown;
  try {
    document = xmlParser.parse(text);
  } catch (error) {
    return { reason: `invalid Windows XML: ${(error as Error).message}` };
  }
  const root = isRecord(document) ? document.Event : undefined;
  const system = isRecord(root) ? root.System : undefined;
  if (!isRecord(root) || !isRecord(system)) {
    return { reason: 'Windows XML has no <Event><System> element' };
  }
  const eventId = toInteger(textOf(system.EventID));
  if (eventId === undefined) {
    return { reason: 'Windows XML event has no numeric <EventID>' };
  }

  const timeCreated = isRecord(system.TimeCreated) ? system.TimeCreated['@SystemTime'] : undefined;
  const originalTime = toStringValue(timeCreated);
  const data: Record<string, string> = {};
  const eventData = isRecord(root.EventData) ? root.EventData : {};
  const items = Array.isArray(eventData.Data) ? eventData.Data : [];
  items.forEach((item, index) => {
    const name = isRecord(item) ? toStringValue(item['@Name']) : undefined;
    data[name ?? `Data${index}`] = textOf(item) ?? '';
  });

  const extra: Record<string, unknown> = {};
  if (root.UserData !== undefined) extra.UserData = root.UserData;
  return {
    event: {
      eventId,
      time: parseIsoMillis(originalTime),
      originalTime,
      computer: textOf(system.Computer),
      channel: textOf(system.Channel),
      recordId: textOf(system.EventRecordID),
      statusId: keywordStatus(textOf(system.Keywords)),
      message: renderedMessage(root.RenderingInfo),
      data,
      extra: compact({
        ...extra,
        Provider: isRecord(system.Provider) ? system.Provider['@Name'] : undefined,
        Task: textOf(system.Task),
        Opcode: textOf(system.Opcode),
        Level: textOf(system.Level),
        Keywords: textOf(system.Keywords),
      }),
    },
  };
}

/**
 * Returns the first line of `<RenderingInfo><Message>`, which Windows Event
 * Forwarding and Splunk's XmlWinEventLog input add to rendered events.
 */
function renderedMessage(renderingInfo: unknown): string | undefined {
  if (!isRecord(renderingInfo)) return undefined;
  const message = textOf(renderingInfo.Message);
  if (message === undefined) return undefined;
  const firstLine = message.split(LINE_BREAK, 1)[0]!.trim();
  return firstLine === '' ? undefined : firstLine;
}

const LINE_BREAK = /\r?\n/;

/** Text content of a parsed XML node: a string, or `#text` beside attributes. */
function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return decodeCharacterReferences(node);
  if (typeof node === 'number') return String(node);
  if (isRecord(node) && typeof node['#text'] === 'string') {
    return decodeCharacterReferences(node['#text']);
  }
  return undefined;
}

const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|\d+);/g;

/**
 * Decodes numeric character references such as `&#10;`, which the parser leaves
 * as they are unless its slower HTML entity mode is on.
 */
function decodeCharacterReferences(text: string): string {
  if (!text.includes('&#')) return text;
  return text.replace(CHARACTER_REFERENCE, (reference, code: string) => {
    const point = code.startsWith('x') ? Number.parseInt(code.slice(1), 16) : Number(code);
    return point <= 0x10ffff ? String.fromCodePoint(point) : reference;
  });
}

function keywordStatus(keywords: string | undefined): number | undefined {
  if (keywords === undefined || !/^0x[0-9a-fA-F]{1,16}$/.test(keywords)) return undefined;
  const mask = BigInt(keywords);
  if ((mask & AUDIT_FAILURE) !== 0n) return STATUS.FAILURE;
  if ((mask & AUDIT_SUCCESS) !== 0n) return STATUS.SUCCESS;
  return undefined;
}

export function normalizeWindowsText(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') {
    return failure(WINDOWS_TEXT, 'Windows event is not text');
  }
  if (isWindowsXml(input.event)) return normalizeWindowsXml(input);
  const parsed = readTextEvent(input.event);
  if ('reason' in parsed) return failure(WINDOWS_TEXT, parsed.reason);
  return { ok: true, event: mapWindowsEvent(parsed.event, input), normalizer: WINDOWS_TEXT };
}

/** Short descriptions of mapped EventIDs, used as the message of XML events, which have none. */
const DESCRIPTIONS: Readonly<Record<number, string>> = {
  4624: 'An account was successfully logged on.',
  4625: 'An account failed to log on.',
  4634: 'An account was logged off.',
  4647: 'User initiated logoff.',
  4648: 'A logon was attempted using explicit credentials.',
  4672: 'Special privileges assigned to new logon.',
  4688: 'A new process has been created.',
  4656: 'A handle to an object was requested.',
  4658: 'The handle to an object was closed.',
  4663: 'An attempt was made to access an object.',
  4689: 'A process has exited.',
  4690: 'An attempt was made to duplicate a handle to an object.',
  4720: 'A user account was created.',
  4722: 'A user account was enabled.',
  4723: "An attempt was made to change an account's password.",
  4724: "An attempt was made to reset an account's password.",
  4725: 'A user account was disabled.',
  4726: 'A user account was deleted.',
  4727: 'A security-enabled global group was created.',
  4728: 'A member was added to a security-enabled global group.',
  4729: 'A member was removed from a security-enabled global group.',
  4730: 'A security-enabled global group was deleted.',
  4731: 'A security-enabled local group was created.',
  4732: 'A member was added to a security-enabled local group.',
  4733: 'A member was removed from a security-enabled local group.',
  4734: 'A security-enabled local group was deleted.',
  4735: 'A security-enabled local group was changed.',
  4737: 'A security-enabled global group was changed.',
  4738: 'A user account was changed.',
  4740: 'A user account was locked out.',
  4781: 'The name of an account was changed.',
};

/** Account Change activity_id by EventID. */
const ACCOUNT_ACTIVITY: Readonly<Record<number, number>> = {
  4720: 1,
  4722: 2,
  4723: 3,
  4724: 4,
  4725: 5,
  4726: 6,
  4738: 99,
  4740: 9,
  4781: 99,
};

/** Group Management activity_id by EventID (global, local and universal groups). */
const GROUP_ACTIVITY: Readonly<Record<number, number>> = {
  4727: 6,
  4731: 6,
  4754: 6,
  4728: 3,
  4732: 3,
  4756: 3,
  4729: 4,
  4733: 4,
  4757: 4,
  4730: 5,
  4734: 5,
  4758: 5,
  4735: 99,
  4737: 99,
  4755: 99,
};

/** OCSF `logon_type_id` values that equal the Windows logon type. */
const LOGON_TYPES = new Set([0, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13]);

/** OCSF `auth_protocol_id` by Windows authentication package. */
const AUTH_PROTOCOLS: Readonly<Record<string, number>> = { NTLM: 1, Kerberos: 2 };

function mapWindowsEvent(source: WindowsEvent, input: RawEvent): OcsfEvent {
  const { eventId, data } = source;
  const spec = classify(source);
  const statusId = spec.statusId ?? source.statusId;
  return createEvent({
    classUid: spec.classUid,
    activityId: spec.activityId,
    activityName: spec.activityName,
    severityId: 1,
    statusId,
    statusDetail: spec.statusDetail,
    time: source.time ?? fallbackTime(input),
    originalTime: source.originalTime,
    message: source.message ?? DESCRIPTIONS[eventId] ?? `Windows event ${eventId}`,
    product: PRODUCT,
    metadata: compact({
      event_code: String(eventId),
      uid: source.recordId,
      log_name: source.channel,
      profiles: ['host'],
    }),
    attributes: compact({
      device: compact({ hostname: source.computer, os: WINDOWS_OS, type_id: 0, type: 'Unknown' }),
      actor: spec.actor,
      ...spec.attributes,
    }),
    unmapped: compact({ ...source.extra, ...data }),
  });
}

interface WindowsSpec {
  classUid: number;
  activityId: number;
  activityName?: string;
  statusId?: number;
  statusDetail?: string;
  actor?: Record<string, unknown>;
  attributes: Record<string, unknown>;
}

function classify(source: WindowsEvent): WindowsSpec {
  const { eventId, data } = source;
  const subject = account(data, 'Subject');
  const actor = compact({
    user: subject,
    session: present(data.SubjectLogonId) ? { uid: data.SubjectLogonId } : undefined,
    process: processOf(data.ProcessId, data.ProcessName),
  });
  switch (eventId) {
    case 4624:
    case 4625:
    case 4648:
      return { ...logon(source, eventId === 4625 ? STATUS.FAILURE : undefined), actor };
    case 4634:
    case 4647:
      return {
        classUid: CLASS.AUTHENTICATION,
        activityId: 2,
        actor,
        attributes: {
          user: account(data, 'Target'),
          session: present(data.TargetLogonId) ? { uid: data.TargetLogonId } : undefined,
          logon_type_id: logonType(data.LogonType)?.id,
        },
      };
    case 4672:
      return {
        classUid: CLASS.AUTHORIZE_SESSION,
        activityId: 1,
        attributes: {
          user: subject,
          session: present(data.SubjectLogonId) ? { uid: data.SubjectLogonId } : undefined,
          privileges: data.PrivilegeList?.split(/\s+/).filter(Boolean),
        },
      };
    case 4688:
      return {
        classUid: CLASS.PROCESS_ACTIVITY,
        activityId: 1,
        actor: compact({
          user: subject,
          session: actor.session,
          process: processOf(data.ProcessId, data.ParentProcessName),
        }),
        attributes: {
          process: compact({
            ...processOf(data.NewProcessId, data.NewProcessName),
            cmd_line: present(data.CommandLine) ? data.CommandLine : undefined,
            parent_process: processOf(data.ProcessId, data.ParentProcessName),
            user: account(data, 'Target'),
          }),
        },
      };
    case 4656:
    case 4658:
    case 4663:
    case 4690:
      return {
        classUid: CLASS.WINDOWS_RESOURCE_ACTIVITY,
        activityId: 1,
        actor,
        attributes: {
          win_resource: compact({
            name: present(data.ObjectName) ? data.ObjectName : undefined,
            type: present(data.ObjectType) ? data.ObjectType : undefined,
            uid: present(data.HandleId) ? data.HandleId : undefined,
            svc_name: present(data.ObjectServer) ? data.ObjectServer : undefined,
          }),
        },
      };
    case 4689:
      return {
        classUid: CLASS.PROCESS_ACTIVITY,
        activityId: 2,
        actor: compact({ user: subject, session: actor.session }),
        attributes: {
          process: processOf(data.ProcessId, data.ProcessName),
          exit_code: toInteger(data.Status),
        },
      };
  }
  const accountActivity = ACCOUNT_ACTIVITY[eventId];
  if (accountActivity !== undefined) {
    const target =
      eventId === 4781
        ? compact({
            name: data.NewTargetUserName,
            domain: data.TargetDomainName,
            uid: data.TargetSid,
          })
        : account(data, 'Target', 'TargetSid');
    return {
      classUid: CLASS.ACCOUNT_CHANGE,
      activityId: accountActivity,
      activityName: DESCRIPTIONS[eventId],
      actor,
      attributes: { user: target },
    };
  }
  const groupActivity = GROUP_ACTIVITY[eventId];
  if (groupActivity !== undefined) {
    return {
      classUid: CLASS.GROUP_MANAGEMENT,
      activityId: groupActivity,
      activityName: DESCRIPTIONS[eventId],
      actor,
      attributes: {
        group: compact({
          name: data.TargetUserName,
          domain: data.TargetDomainName,
          uid: data.TargetSid,
        }),
        user:
          present(data.MemberSid) || present(data.MemberName)
            ? compact({ name: memberName(data.MemberName), uid: data.MemberSid })
            : undefined,
      },
    };
  }
  return {
    classUid: CLASS.BASE_EVENT,
    activityId: 99,
    activityName: `EventID ${eventId}`,
    actor: subject !== undefined ? compact({ user: subject, session: actor.session }) : undefined,
    attributes: {},
  };
}

function logon(source: WindowsEvent, statusId: number | undefined): WindowsSpec {
  const { data } = source;
  const type = logonType(data.LogonType);
  const packageName = present(data.AuthenticationPackageName)
    ? data.AuthenticationPackageName
    : undefined;
  const failureDetail = [data.FailureReason, data.Status, data.SubStatus].filter(present);
  const ip = present(data.IpAddress) ? data.IpAddress : undefined;
  const targetServer = present(data.TargetServerName) ? data.TargetServerName : undefined;
  return {
    classUid: CLASS.AUTHENTICATION,
    activityId: 1,
    statusId,
    statusDetail: failureDetail.length > 0 ? failureDetail.join(' ') : undefined,
    attributes: {
      user: account(data, 'Target'),
      src_endpoint: endpoint(
        ip === undefined ? undefined : stripIpv4Mapped(ip),
        ip ? data.IpPort : undefined,
        {
          hostname: present(data.WorkstationName) ? data.WorkstationName : undefined,
        },
      ),
      dst_endpoint: endpoint(undefined, undefined, { hostname: targetServer ?? source.computer }),
      logon_type_id: type?.id,
      logon_type: type?.name,
      logon_process: present(data.LogonProcessName) ? { name: data.LogonProcessName } : undefined,
      auth_protocol_id: packageName === undefined ? undefined : (AUTH_PROTOCOLS[packageName] ?? 99),
      auth_protocol: packageName,
      session: compact({
        uid: present(data.TargetLogonId) ? data.TargetLogonId : undefined,
        uuid: present(data.LogonGuid) ? data.LogonGuid : undefined,
      }),
      is_remote: type?.id === 3 || type?.id === 10 ? true : undefined,
    },
  };
}

const LOGON_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'System',
  2: 'Interactive',
  3: 'Network',
  4: 'Batch',
  5: 'OS Service',
  7: 'Unlock',
  8: 'Network Cleartext',
  9: 'New Credentials',
  10: 'Remote Interactive',
  11: 'Cached Interactive',
  12: 'Cached Remote Interactive',
  13: 'Cached Unlock',
};

function logonType(value: string | undefined): { id: number; name: string } | undefined {
  const type = toInteger(value);
  if (type === undefined) return undefined;
  if (!LOGON_TYPES.has(type)) return { id: 99, name: `Logon type ${type}` };
  return { id: type, name: LOGON_TYPE_NAMES[type]! };
}

/** Windows writes `-` (and empty values) for fields that do not apply. */
function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '-';
}

function account(
  data: Record<string, string>,
  prefix: 'Subject' | 'Target',
  sidKey = `${prefix}UserSid`,
): Record<string, unknown> | undefined {
  const name = data[`${prefix}UserName`];
  if (!present(name)) return undefined;
  return compact({
    name,
    domain: present(data[`${prefix}DomainName`]) ? data[`${prefix}DomainName`] : undefined,
    uid: data[sidKey],
    account_type: 'Windows Account',
    account_type_id: 2,
  });
}

/** Member names of group events are distinguished names; keep the CN as the user name. */
function memberName(value: string | undefined): string | undefined {
  if (!present(value)) return undefined;
  const cn = /^CN=((?:\\,|[^,])+)/.exec(value);
  return cn ? cn[1]!.replace(/\\,/g, ',') : value;
}

function processOf(
  pid: string | undefined,
  path: string | undefined,
): Record<string, unknown> | undefined {
  const processId = toInteger(pid);
  const filePath = present(path) ? path : undefined;
  if (filePath === undefined && (processId === undefined || processId === 0)) return undefined;
  const name = filePath?.slice(filePath.lastIndexOf('\\') + 1);
  return compact({
    pid: processId,
    name,
    file: filePath
      ? {
          path: filePath,
          name,
          parent_folder: filePath.slice(0, filePath.lastIndexOf('\\')),
          type_id: 1,
          type: 'Regular File',
        }
      : undefined,
  });
}

/** Windows logs IPv4 peers of dual-stack sockets as `::ffff:10.0.0.1`. */
function stripIpv4Mapped(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
