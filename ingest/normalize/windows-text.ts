/**
 * Reader for the classic text rendering of Windows events (`WinEventLog`): a
 * timestamp line, `Key=Value` header lines and a multi-line Message whose
 * labels map to the EventData names of the XML rendering.
 */
import { STATUS, toInteger } from './ocsf.js';
import type { WindowsEvent } from './windows.js';

const TEXT_TIME = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;
const HEADER_LINE = /^([A-Za-z]+)=(.*)$/;
const SECTION_LINE = /^(\S[^:]*):\s*$/;
const INDENTED_LABEL = /^\s+([^:]+?):[ \t]*(.*)$/;
const TOP_LABEL = /^([A-Z][^:]{0,60}?):\s+(\S.*)$/;

/** Prefix of the EventData names that a Message section's account fields map to. */
const SECTION_ACCOUNT: Readonly<Record<string, string>> = {
  Subject: 'Subject',
  'Creator Subject': 'Subject',
  'New Logon': 'Target',
  'Account For Which Logon Failed': 'Target',
  'Target Subject': 'Target',
  'Target Account': 'Target',
  'New Account': 'Target',
  'Account Whose Credentials Were Used': 'Target',
};

const ACCOUNT_LABELS: Readonly<Record<string, string>> = {
  'Security ID': 'UserSid',
  'Account Name': 'UserName',
  'Account Domain': 'DomainName',
  'Logon ID': 'LogonId',
  'Logon GUID': 'LogonGuid',
};

/** EventData names of labels in the Member and Group sections of group events. */
const SECTION_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Member: { 'Security ID': 'MemberSid', 'Account Name': 'MemberName' },
  Group: {
    'Security ID': 'TargetSid',
    'Group Name': 'TargetUserName',
    'Group Domain': 'TargetDomainName',
  },
};

/** EventData names of Message labels outside the account sections. */
const LABELS: Readonly<Record<string, string>> = {
  'Logon Type': 'LogonType',
  'Process ID': 'ProcessId',
  'Process Name': 'ProcessName',
  'Caller Process ID': 'ProcessId',
  'Caller Process Name': 'ProcessName',
  'New Process ID': 'NewProcessId',
  'New Process Name': 'NewProcessName',
  'Creator Process ID': 'ProcessId',
  'Creator Process Name': 'ParentProcessName',
  'Process Command Line': 'CommandLine',
  'Exit Status': 'Status',
  'Workstation Name': 'WorkstationName',
  'Source Network Address': 'IpAddress',
  'Source Port': 'IpPort',
  'Network Address': 'IpAddress',
  Port: 'IpPort',
  'Target Server Name': 'TargetServerName',
  'Logon Process': 'LogonProcessName',
  'Authentication Package': 'AuthenticationPackageName',
  'Failure Reason': 'FailureReason',
  Status: 'Status',
  'Sub Status': 'SubStatus',
  'Object Server': 'ObjectServer',
  'Object Type': 'ObjectType',
  'Object Name': 'ObjectName',
  'Handle ID': 'HandleId',
  Accesses: 'AccessList',
  Privileges: 'PrivilegeList',
};

export function readTextEvent(text: string): { event: WindowsEvent } | { reason: string } {
  const lines = text.split(/\r?\n/);
  const originalTime = lines[0]?.trim() ?? '';
  const header: Record<string, string> = {};
  let index = TEXT_TIME.test(originalTime) ? 1 : 0;
  for (; index < lines.length; index++) {
    const match = HEADER_LINE.exec(lines[index]!);
    if (match === null) break;
    header[match[1]!] = match[2]!;
    if (match[1] === 'Message') {
      index++;
      break;
    }
  }
  const eventId = toInteger(header.EventCode);
  if (eventId === undefined) {
    return { reason: 'Windows event text has no numeric EventCode= line' };
  }
  const { data, sections } = readMessageBody(lines.slice(index));
  const keywords = header.Keywords;
  const { EventCode, ComputerName, LogName, RecordNumber, Keywords, Message, ...rest } = header;
  return {
    event: {
      eventId,
      time: textTime(originalTime),
      originalTime: TEXT_TIME.test(originalTime) ? originalTime : undefined,
      computer: ComputerName,
      channel: LogName,
      recordId: RecordNumber,
      statusId:
        keywords === 'Audit Success'
          ? STATUS.SUCCESS
          : keywords === 'Audit Failure'
            ? STATUS.FAILURE
            : undefined,
      message: Message,
      data,
      extra: { ...rest, ...sections },
    },
  };
}

/**
 * Reads the Message body below its first line: section headers (`Subject:`),
 * indented `Label: value` lines and top-level `Label: value` lines. Labels with
 * a known EventData name go to `data`, the rest to `sections` by section.
 */
function readMessageBody(lines: string[]) {
  const data: Record<string, string> = {};
  const sections: Record<string, Record<string, string> | string> = {};
  let section = '';
  let lastKey: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') {
      lastKey = undefined;
      continue;
    }
    const sectionMatch = SECTION_LINE.exec(line);
    if (sectionMatch !== null) {
      section = sectionMatch[1]!.trim();
      lastKey = undefined;
      continue;
    }
    const indented = INDENTED_LABEL.exec(line);
    const top = indented === null ? TOP_LABEL.exec(line) : null;
    const match = indented ?? top;
    if (match === null) {
      if (lastKey !== undefined && /^\s/.test(line)) data[lastKey] += ` ${line.trim()}`;
      continue;
    }
    const label = match[1]!.trim();
    const scope = indented !== null ? section : '';
    const key = dataName(scope, label);
    // Trailing spaces are part of a command line; elsewhere they are padding.
    const value = key === 'CommandLine' ? match[2]! : match[2]!.trimEnd();
    if (key !== undefined) {
      data[key] ??= value;
      lastKey = key;
    } else if (scope === '') {
      sections[label] = value;
      lastKey = undefined;
    } else {
      const bucket = sections[scope];
      const fields = typeof bucket === 'object' ? bucket : {};
      fields[label] = value;
      sections[scope] = fields;
      lastKey = undefined;
    }
  }
  return { data, sections };
}

function dataName(section: string, label: string): string | undefined {
  const prefix = SECTION_ACCOUNT[section];
  if (prefix !== undefined) {
    const suffix = ACCOUNT_LABELS[label];
    if (suffix !== undefined) return prefix + suffix;
  }
  return SECTION_LABELS[section]?.[label] ?? LABELS[label];
}

/**
 * Parses `03/12/2021 10:48:14 AM`. The classic rendering has no time zone, so
 * the time is read as UTC.
 */
function textTime(text: string): number | undefined {
  const match = TEXT_TIME.exec(text);
  if (match === null) return undefined;
  const [, month, day, year, hours, minutes, seconds, meridiem] = match;
  const hour12 = Number(hours) % 12;
  const hour = meridiem === 'PM' ? hour12 + 12 : hour12;
  return Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    hour,
    Number(minutes),
    Number(seconds),
  );
}
