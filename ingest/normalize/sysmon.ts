/**
 * Microsoft Sysmon events (channel `Microsoft-Windows-Sysmon/Operational`),
 * read by the Windows XML and JSON readers, mapped by EventID: process
 * creation, termination and access, network connections, image loads, file
 * creation, registry changes and DNS queries.
 */
import { CLASS, compact, endpoint, isIpAddress, merge, parseIsoMillis, toInteger } from './ocsf.js';
import { daysFromCivil, digitsAt } from './utc-time.js';
import type { WindowsEvent, WindowsSpec } from './windows.js';

export const SYSMON_PRODUCT = { name: 'Sysmon', vendor_name: 'Microsoft' };

/** True for an event from the Sysmon channel or provider. */
export function isSysmonEvent(source: WindowsEvent): boolean {
  const channel = source.channel;
  if (channel !== undefined) return channel.startsWith('Microsoft-Windows-Sysmon');
  const provider = source.extra.Provider;
  return typeof provider === 'string' && provider.startsWith('Microsoft-Windows-Sysmon');
}

/** Sysmon writes `UtcTime` as `2020-10-19 02:56:14.642`, UTC without a zone designator. */
export function sysmonTime(value: string | undefined): number | undefined {
  if (value === undefined || value.length < 19) return undefined;
  return exactSysmonTime(value) ?? parseIsoMillis(`${value.slice(0, 10)}T${value.slice(11)}Z`);
}

/**
 * Converts exactly `YYYY-MM-DD HH:MM:SS.fff` to epoch milliseconds by hand,
 * with the result Date.parse gives for its ISO form, so a day past the end of
 * its month runs into the next. Returns undefined for any other text. Building
 * the ISO text and parsing it showed in the profile.
 */
function exactSysmonTime(text: string): number | undefined {
  if (
    text.length !== 23 ||
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 /* space */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 /* . */
  ) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  const millis = digitsAt(text, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || millis < 0) return undefined;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) {
    return undefined;
  }
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hours * 60 + minutes) * 60 + seconds) * 1000 +
    millis
  );
}

/** Returns the OCSF mapping of a Sysmon event, or undefined for an EventID without one. */
export function classifySysmon(source: WindowsEvent): WindowsSpec | undefined {
  const data = source.data;
  // Built only for the EventIDs that use them: process access (10), the most
  // common event, has its own actor.
  const actorProcess = () => processOf(data.ProcessId, data.Image, data.ProcessGuid);
  const actorOf = () => compact({ process: actorProcess(), user: userOf(data.User) });
  switch (source.eventId) {
    case 1:
      return {
        classUid: CLASS.PROCESS_ACTIVITY,
        activityId: 1,
        actor: compact({
          user: userOf(data.User),
          process: processOf(data.ParentProcessId, data.ParentImage, data.ParentProcessGuid),
        }),
        attributes: {
          process: merge(processOf(data.ProcessId, data.Image, data.ProcessGuid, data.Hashes), {
            cmd_line: present(data.CommandLine) ? data.CommandLine : undefined,
            integrity: present(data.IntegrityLevel) ? data.IntegrityLevel : undefined,
            parent_process: merge(
              processOf(data.ParentProcessId, data.ParentImage, data.ParentProcessGuid),
              { cmd_line: present(data.ParentCommandLine) ? data.ParentCommandLine : undefined },
            ),
            user: userOf(data.User),
          }),
        },
      };
    case 3: {
      const initiated = data.Initiated === 'true';
      return {
        classUid: CLASS.NETWORK_ACTIVITY,
        activityId: 1,
        actor: actorOf(),
        attributes: {
          src_endpoint: endpoint(data.SourceIp, data.SourcePort, {
            hostname: present(data.SourceHostname) ? data.SourceHostname : undefined,
          }),
          dst_endpoint: endpoint(data.DestinationIp, data.DestinationPort, {
            hostname: present(data.DestinationHostname) ? data.DestinationHostname : undefined,
          }),
          connection_info: compact({
            protocol_name: present(data.Protocol) ? data.Protocol : undefined,
            direction: initiated ? 'Outbound' : 'Inbound',
            direction_id: initiated ? 2 : 1,
          }),
        },
      };
    }
    case 5:
      return {
        classUid: CLASS.PROCESS_ACTIVITY,
        activityId: 2,
        actor: compact({ user: userOf(data.User) }),
        attributes: { process: actorProcess() },
      };
    case 7:
      return {
        classUid: CLASS.MODULE_ACTIVITY,
        activityId: 1,
        actor: actorOf(),
        attributes: {
          module: compact({
            file: fileOf(data.ImageLoaded, data.Hashes, {
              signature: present(data.Signature)
                ? compact({
                    certificate: { subject: data.Signature, issuer: data.Signature },
                    state_id: data.SignatureStatus === 'Valid' ? 1 : undefined,
                    state: present(data.SignatureStatus) ? data.SignatureStatus : undefined,
                  })
                : undefined,
              product: present(data.Product) ? { name: data.Product } : undefined,
              version: present(data.FileVersion) ? data.FileVersion : undefined,
              desc: present(data.Description) ? data.Description : undefined,
              company_name: present(data.Company) ? data.Company : undefined,
            }),
            load_type_id: 0,
          }),
        },
      };
    case 10:
      return {
        classUid: CLASS.PROCESS_ACTIVITY,
        activityId: 3,
        actor: compact({
          user: userOf(data.SourceUser),
          process: processOf(data.SourceProcessId, data.SourceImage, data.SourceProcessGUID),
        }),
        attributes: {
          process: processOf(data.TargetProcessId, data.TargetImage, data.TargetProcessGUID),
          actual_permissions: toInteger(data.GrantedAccess),
        },
      };
    case 11:
      return {
        classUid: CLASS.FILE_ACTIVITY,
        activityId: 1,
        actor: actorOf(),
        attributes: { file: fileOf(data.TargetFilename, undefined, {}) },
      };
    case 12:
      return {
        classUid: CLASS.REGISTRY_KEY_ACTIVITY,
        activityId: REGISTRY_KEY_ACTIVITY[data.EventType ?? ''] ?? 99,
        activityName: data.EventType,
        actor: actorOf(),
        attributes: { reg_key: compact({ path: data.TargetObject }) },
      };
    case 13:
      return {
        classUid: CLASS.REGISTRY_VALUE_ACTIVITY,
        activityId: 2,
        actor: actorOf(),
        attributes: {
          reg_value: compact({
            path: data.TargetObject,
            name: valueName(data.TargetObject),
            data: present(data.Details) ? data.Details : undefined,
          }),
        },
      };
    case 22:
      return {
        classUid: CLASS.DNS_ACTIVITY,
        activityId: 1,
        actor: actorOf(),
        statusId: data.QueryStatus === undefined ? undefined : data.QueryStatus === '0' ? 1 : 2,
        attributes: {
          query: compact({ hostname: present(data.QueryName) ? data.QueryName : undefined }),
          answers: dnsAnswers(data.QueryResults),
          rcode_id: toInteger(data.QueryStatus) === 0 ? 0 : undefined,
        },
      };
  }
  return undefined;
}

/** Registry Key Activity activity_id by Sysmon `EventType`. */
const REGISTRY_KEY_ACTIVITY: Readonly<Record<string, number>> = {
  CreateKey: 1,
  DeleteKey: 4,
  RenameKey: 5,
};

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== '-';
}

/** `DOMAIN\user` as an OCSF user. */
function userOf(value: string | undefined): Record<string, unknown> | undefined {
  if (!present(value)) return undefined;
  const slash = value.indexOf('\\');
  if (slash === -1) return { name: value };
  return { name: value.slice(slash + 1), domain: value.slice(0, slash) };
}

function processOf(
  pid: string | undefined,
  path: string | undefined,
  guid: string | undefined,
  hashes?: string,
): Record<string, unknown> | undefined {
  const processId = toInteger(pid);
  const filePath = present(path) ? path : undefined;
  if (filePath === undefined && processId === undefined) return undefined;
  return compact({
    pid: processId,
    uid: present(guid) ? guid : undefined,
    name: filePath?.slice(filePath.lastIndexOf('\\') + 1),
    file: filePath === undefined ? undefined : fileOf(filePath, hashes, {}),
  });
}

/** OCSF `fingerprint.algorithm_id` by Sysmon hash name. */
const HASH_ALGORITHMS: ReadonlyMap<string, [number, string]> = new Map([
  ['MD5', [1, 'MD5']],
  ['SHA1', [2, 'SHA-1']],
  ['SHA256', [3, 'SHA-256']],
  ['SHA512', [4, 'SHA-512']],
  ['IMPHASH', [99, 'IMPHASH']],
]);

function fileOf(
  path: string | undefined,
  hashes: string | undefined,
  extra: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (!present(path)) return undefined;
  const slash = path.lastIndexOf('\\');
  const file: Record<string, unknown> = {
    path,
    name: path.slice(slash + 1),
    type_id: 1,
    type: 'Regular File',
  };
  if (slash > 0) file.parent_folder = path.slice(0, slash);
  const fingerprints = parseHashes(hashes);
  if (fingerprints !== undefined) file.hashes = fingerprints;
  for (const key in extra) if (extra[key] !== undefined) file[key] = extra[key];
  return file;
}

/** `SHA1=...,MD5=...,SHA256=...,IMPHASH=...` as OCSF fingerprints. */
function parseHashes(text: string | undefined): Record<string, unknown>[] | undefined {
  if (!present(text)) return undefined;
  const result: Record<string, unknown>[] = [];
  // A scan over the commas instead of split(): this runs for most Sysmon events.
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(',', start);
    if (end === -1) end = text.length;
    const equals = text.indexOf('=', start);
    if (equals > start && equals < end) {
      const algorithm = text.slice(start, equals);
      const known = HASH_ALGORITHMS.get(algorithm);
      result.push({
        algorithm_id: known === undefined ? 99 : known[0],
        algorithm: known === undefined ? algorithm : known[1],
        value: text.slice(equals + 1, end),
      });
    }
    start = end + 1;
  }
  return result.length > 0 ? result : undefined;
}

/** The value name: the last part of a registry value path. */
function valueName(path: string | undefined): string | undefined {
  if (!present(path)) return undefined;
  return path.slice(path.lastIndexOf('\\') + 1);
}

/** Sysmon `QueryResults`: `type:  5 name;::ffff:1.2.3.4;` entries separated by `;`. */
function dnsAnswers(text: string | undefined): Record<string, unknown>[] | undefined {
  if (!present(text)) return undefined;
  const answers: Record<string, unknown>[] = [];
  for (const part of text.split(';')) {
    const value = part.trim();
    if (value === '') continue;
    const address = value.startsWith('::ffff:') ? value.slice(7) : value;
    answers.push(isIpAddress(address) ? { rdata: address, type: 'A' } : { rdata: value });
  }
  return answers.length > 0 ? answers : undefined;
}
