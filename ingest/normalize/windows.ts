/**
 * Windows Security log events, in the XML rendering (`XmlWinEventLog`, one
 * `<Event>` element per event) and in the classic text rendering
 * (`WinEventLog`, `Key=Value` header lines and a multi-line Message). Both are
 * read into the same EventData names, then mapped by EventID.
 */
import {
  CLASS,
  compact,
  createEvent,
  endpoint,
  failure,
  fallbackTime,
  hasKeys,
  merge,
  STATUS,
  statusFromSuccess,
  toInteger,
} from './ocsf.js';
import { classifySysmon, isSysmonEvent, SYSMON_PRODUCT } from './sysmon.js';
import type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';
import { isoUtcMillis } from './utc-time.js';
import { readTextEvent } from './windows-text.js';
import { scanWindowsXml } from './windows-xml.js';

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
  /** True when `data` has no empty values, so that it can serve as `unmapped` as it is. */
  compactData?: boolean;
  /**
   * `ready` when `data` already contains the `extra` fields after its own and
   * has keys, `empty` when it contains them and has none. Either way `unmapped`
   * needs no more work.
   */
  unmapped?: 'ready' | 'empty';
}

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
  const scanned = scanWindowsXml(text);
  if (typeof scanned === 'string') return { reason: `invalid Windows XML: ${scanned}` };
  const system = scanned.system;
  if (!system.seen && scanned.providerName === undefined && scanned.systemTime === undefined) {
    return { reason: 'Windows XML has no <Event><System> element' };
  }
  const eventId = toInteger(system.EventID);
  if (eventId === undefined) {
    return { reason: 'Windows XML event has no numeric <EventID>' };
  }
  const data: Record<string, unknown> = {};
  const names = scanned.dataNames;
  const values = scanned.dataValues;
  let hasData = false;
  for (let i = 0; i < names.length; i++) {
    const value = values[i]!;
    if (value === '') continue;
    const name = names[i] ?? `Data${i}`;
    data[name] = value;
    // A `__proto__` store sets no key.
    if (name !== '__proto__') hasData = true;
  }
  // The `extra` fields go into `data` here, after the EventData values and
  // where no value has their name, which is `unmapped` as `addExtra` would
  // build it: the mapping reads none of these names from `data`.
  const extra: Record<string, unknown> = {};
  const userData = scanned.userData;
  if (userData !== undefined) {
    extra.UserData = userData;
    if (data.UserData === undefined) data.UserData = userData;
  }
  const provider = scanned.providerName;
  if (provider !== undefined) {
    extra.Provider = provider;
    if (data.Provider === undefined) data.Provider = provider;
  }
  const { Task: task, Opcode: opcode, Level: level, Keywords: keywords } = system;
  if (present(task)) {
    extra.Task = task;
    if (data.Task === undefined) data.Task = task;
  }
  if (present(opcode)) {
    extra.Opcode = opcode;
    if (data.Opcode === undefined) data.Opcode = opcode;
  }
  if (present(level)) {
    extra.Level = level;
    if (data.Level === undefined) data.Level = level;
  }
  if (present(keywords)) {
    extra.Keywords = keywords;
    if (data.Keywords === undefined) data.Keywords = keywords;
  }
  const hasUnmapped =
    hasData ||
    userData !== undefined ||
    provider !== undefined ||
    present(task) ||
    present(opcode) ||
    present(level) ||
    present(keywords);
  const originalTime = scanned.systemTime === '' ? undefined : scanned.systemTime;
  return {
    event: {
      eventId,
      time: isoUtcMillis(originalTime),
      originalTime,
      computer: emptyToUndefined(system.Computer),
      channel: emptyToUndefined(system.Channel),
      recordId: emptyToUndefined(system.EventRecordID),
      statusId: keywordStatus(keywords),
      message: firstLine(scanned.message),
      data: data as Record<string, string>,
      extra,
      compactData: true,
      unmapped: hasUnmapped ? 'ready' : 'empty',
    },
  };
}

/**
 * Adds the `extra` fields to the EventData values, in place, once the mapping
 * has read them: copying every value again into a new object showed in the profile.
 */
function addExtra(data: Record<string, unknown>, extra: Record<string, unknown>) {
  for (const key in extra) data[key] ??= extra[key];
  return data;
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/**
 * Returns the first line of `<RenderingInfo><Message>`, which Windows Event
 * Forwarding and Splunk's XmlWinEventLog input add to rendered events.
 */
function firstLine(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const line = message.split(LINE_BREAK, 1)[0]!.trim();
  return line === '' ? undefined : line;
}

const LINE_BREAK = /\r?\n/;

/** The last `Keywords` text and its status: most events of a log share a few masks. */
let lastKeywords: string | undefined;
let lastKeywordStatus: number | undefined;

function keywordStatus(keywords: string | undefined): number | undefined {
  if (keywords === undefined) return undefined;
  if (keywords === lastKeywords) return lastKeywordStatus;
  let status: number | undefined;
  if (/^0x[0-9a-fA-F]{1,16}$/.test(keywords)) {
    const mask = BigInt(keywords);
    if ((mask & AUDIT_FAILURE) !== 0n) status = STATUS.FAILURE;
    else if ((mask & AUDIT_SUCCESS) !== 0n) status = STATUS.SUCCESS;
  }
  lastKeywords = keywords;
  lastKeywordStatus = status;
  return status;
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
  4768: 'A Kerberos authentication ticket (TGT) was requested.',
  4769: 'A Kerberos service ticket was requested.',
  4776: 'The computer attempted to validate the credentials for an account.',
  4703: 'A token right was adjusted.',
  1102: 'The audit log was cleared.',
  5156: 'The Windows Filtering Platform has permitted a connection.',
  5158: 'The Windows Filtering Platform has permitted a bind to a local port.',
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

export function mapWindowsEvent(source: WindowsEvent, input: RawEvent): OcsfEvent {
  const { eventId } = source;
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
    product: isSysmonEvent(source) ? SYSMON_PRODUCT : PRODUCT,
    metadata: metadataOf(source),
    attributes: attributesOf(source, spec),
    unmapped: unmappedOf(source),
    unmappedHasKeys: source.unmapped === 'ready',
  });
}

function unmappedOf(source: WindowsEvent): Record<string, unknown> | undefined {
  if (source.unmapped !== undefined) return source.unmapped === 'ready' ? source.data : undefined;
  return source.compactData
    ? addExtra(source.data, source.extra)
    : merge(source.extra, source.data);
}

/** Returns the `metadata` keys of an event, leaving out empty ones as `compact` would. */
function metadataOf(source: WindowsEvent): Record<string, unknown> {
  const metadata: Record<string, unknown> = { event_code: String(source.eventId) };
  if (source.recordId) metadata.uid = source.recordId;
  if (source.channel) metadata.log_name = source.channel;
  metadata.profiles = ['host'];
  return metadata;
}

/**
 * Returns the device, the actor and the class attributes without empty values,
 * as `merge` would, without its generic copy of a first object.
 */
function attributesOf(source: WindowsEvent, spec: WindowsSpec): Record<string, unknown> {
  const device: Record<string, unknown> = {};
  if (source.computer) device.hostname = source.computer;
  device.os = WINDOWS_OS;
  device.type_id = 0;
  device.type = 'Unknown';
  const attributes: Record<string, unknown> = { device };
  if (spec.actor !== undefined && spec.actor !== null) attributes.actor = spec.actor;
  const classAttributes = spec.attributes;
  for (const key in classAttributes) {
    const value = classAttributes[key];
    if (value !== undefined && value !== null && value !== '') attributes[key] = value;
  }
  return attributes;
}

export interface WindowsSpec {
  classUid: number;
  activityId: number;
  activityName?: string;
  statusId?: number;
  statusDetail?: string;
  actor?: Record<string, unknown>;
  attributes: Record<string, unknown>;
}

function classify(source: WindowsEvent): WindowsSpec {
  if (isSysmonEvent(source)) {
    const sysmon = classifySysmon(source);
    if (sysmon !== undefined) return sysmon;
  }
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
    case 4648: {
      const spec = logon(source, eventId === 4625 ? STATUS.FAILURE : undefined);
      spec.actor = actor;
      return spec;
    }
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
          process: merge(processOf(data.NewProcessId, data.NewProcessName), {
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
    case 4768:
    case 4769:
    case 4771:
    case 4776:
      return kerberosOrNtlm(source, actor);
    case 5156:
    case 5158:
      return {
        classUid: CLASS.NETWORK_ACTIVITY,
        activityId: eventId === 5156 ? 1 : 99,
        activityName: eventId === 5156 ? undefined : 'Bind',
        actor: compact({
          process: processOf(data.ProcessID ?? data.ProcessId, data.Application),
        }),
        attributes: {
          src_endpoint: endpoint(data.SourceAddress, data.SourcePort),
          dst_endpoint: endpoint(data.DestAddress, data.DestPort),
          connection_info: compact({
            protocol_num: toInteger(data.Protocol),
            direction: WFP_DIRECTIONS[data.Direction ?? '']?.[1],
            direction_id: WFP_DIRECTIONS[data.Direction ?? '']?.[0],
          }),
        },
      };
    case 4703:
      return {
        classUid: CLASS.AUTHORIZE_SESSION,
        activityId: 1,
        actor,
        attributes: {
          user: account(data, 'Target'),
          session: present(data.TargetLogonId) ? { uid: data.TargetLogonId } : undefined,
          privileges: present(data.EnabledPrivilegeList)
            ? data.EnabledPrivilegeList.split(/\s+/).filter(Boolean)
            : undefined,
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

/** Network direction by the WFP `%%1459x` message id. */
const WFP_DIRECTIONS: Readonly<Record<string, [number, string]>> = {
  '%%14592': [1, 'Inbound'],
  '%%14593': [2, 'Outbound'],
};

/** OCSF Authentication activity 3, Authentication Ticket: a Kerberos TGT request. */
const AUTHENTICATION_TICKET = 3;

/** Authentication activities other than Authentication Ticket: 4 Service Ticket Request, 1 Logon. */
const KERBEROS_NTLM_ACTIVITIES: Readonly<Record<number, number>> = { 4769: 4, 4776: 1 };

/**
 * Kerberos ticket requests (4768 TGT, 4769 service ticket, 4771 pre-authentication
 * failure) and NTLM credential validation (4776) on a domain controller.
 */
function kerberosOrNtlm(source: WindowsEvent, actor: Record<string, unknown>): WindowsSpec {
  const { eventId, data } = source;
  const status = eventId === 4776 ? data.Status : (data.Status ?? data.FailureCode);
  const failed = status !== undefined && status !== '0x0' && status !== '0';
  const ip = present(data.IpAddress) ? stripIpv4Mapped(data.IpAddress) : undefined;
  const name = data.TargetUserName;
  return {
    classUid: CLASS.AUTHENTICATION,
    activityId: KERBEROS_NTLM_ACTIVITIES[eventId] ?? AUTHENTICATION_TICKET,
    statusId: statusFromSuccess(status === undefined ? undefined : !failed),
    statusDetail: failed ? status : undefined,
    actor: hasKeys(actor) ? actor : undefined,
    attributes: {
      user: present(name)
        ? compact({
            name,
            domain: present(data.TargetDomainName) ? data.TargetDomainName : undefined,
            uid: present(data.TargetSid) ? data.TargetSid : undefined,
          })
        : undefined,
      src_endpoint: endpoint(ip === undefined || ip === '::1' ? ip : ip, data.IpPort, {
        hostname: present(data.Workstation) ? data.Workstation : undefined,
      }),
      dst_endpoint: endpoint(undefined, undefined, { hostname: source.computer }),
      service: present(data.ServiceName) ? { name: data.ServiceName } : undefined,
      auth_protocol_id: eventId === 4776 ? 1 : 2,
      auth_protocol: eventId === 4776 ? 'NTLM' : 'Kerberos',
    },
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

/** EventData names of the subject and target accounts, built once instead of per event. */
const ACCOUNT_KEYS = {
  Subject: { name: 'SubjectUserName', domain: 'SubjectDomainName', sid: 'SubjectUserSid' },
  Target: { name: 'TargetUserName', domain: 'TargetDomainName', sid: 'TargetUserSid' },
} as const;

function account(
  data: Record<string, string>,
  prefix: 'Subject' | 'Target',
  sidKey: string = ACCOUNT_KEYS[prefix].sid,
): Record<string, unknown> | undefined {
  const keys = ACCOUNT_KEYS[prefix];
  const name = data[keys.name];
  if (!present(name)) return undefined;
  const domain = data[keys.domain];
  return compact({
    name,
    domain: present(domain) ? domain : undefined,
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
