/**
 * Linux authentication log lines (`/var/log/auth.log`, `/var/log/secure`),
 * syslog-framed: sshd logins, PAM sessions, sudo, su and the shadow-utils
 * account tools. A line that matches no rule becomes a Base Event that keeps
 * its text as the message, so no syslog line is a failure once its header parses.
 */
import {
  CLASS,
  compact,
  createEvent,
  type EventSpec,
  endpoint,
  failure,
  isIpAddress,
  MONTH_INDEX,
  merge,
  parseIsoMillis,
  STATUS,
  syslogTimeToMillis,
  toInteger,
} from './ocsf.js';
import type { NormalizeResult, OcsfEvent, RawEvent } from './types.js';

export const LINUX_AUTH = 'linux-auth';

const PRODUCT = { name: 'Linux', vendor_name: 'Linux' };

/**
 * Syslog header: an optional `<PRI>`, an RFC 3164 timestamp (`Mar 27 13:06:56`,
 * some devices add the year: `Jan 18 2024 11:50:03`) or an RFC 3339 one, the
 * host, the program with an optional `[pid]` (some devices send none), and the message.
 */
const SYSLOG_LINE =
  /^(?:<\d{1,3}> ?)?(?:(([A-Z][a-z]{2}) +(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d))|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)) (\S+) (?:([^\s:[]+)(?:\[(\d+)\])?)?:? ?([\s\S]*)$/;

const ISO_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/;
const REPEATED = /^message repeated (\d+) times: \[ ?([\s\S]*)\]$/;
const SSH_ACCEPTED = /^Accepted (\S+) for (\S+) from (\S+) port (\d+)(?: (\S+))?(?:: (.*))?$/;
const SSH_FAILED =
  /^Failed (\S+) for (invalid user )?(.*?) from (\S+) port (\d+)(?: (\S+))?(?:: (.*))?$/;
const SSH_INVALID_USER = /^Invalid user (.*?) from (\S+)(?: port (\d+))?$/;
const SSH_MAX_ATTEMPTS =
  /^error: maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port (\d+)/;
/**
 * sshd's end of a connection: `Connection closed by`, `Disconnected from`, `Received disconnect
 * from` (with the client's reason code and text) and `Connection reset by`, with the user when
 * sshd knew one (`authenticating user`, `invalid user`, `user`).
 */
const SSH_CLOSED =
  /^(Connection closed by|Disconnected from|Received disconnect from|Connection reset by) (?:(?:authenticating |invalid )?user (\S+) )?(\S+) port (\d+)(?::(\d+): (.*?))?( \[preauth\])?$/;
/** A client's TCP connection as sshd logs it with LogLevel VERBOSE: `Connection from A port P on B port Q`. */
const SSH_CONNECTION = /^Connection from (\S+) port (\d+) on (\S+) port (\d+)/;
/** Clients that never spoke SSH: scanners, or HTTP sent to port 22. */
const SSH_NO_IDENTIFICATION = /^Did not receive identification string from (\S+?)(?: port (\d+))?$/;
const SSH_BAD_VERSION =
  /^Bad protocol version identification '([\s\S]*)' from (\S+?)(?: port (\d+))?$/;
const SSH_SESSION = /^Starting session: (.+?) for (\S+) from (\S+) port (\d+)/;
const SSH_SESSION_CLOSED = /^Close session: user (\S+) from (\S+) port (\d+)/;
/**
 * Clients rejected before authentication: no common algorithm (`Unable to negotiate`, with or
 * without a `fatal: ` prefix), a malformed banner, or no login in time.
 */
const SSH_NEGOTIATION =
  /^(?:fatal: )?Unable to negotiate with (\S+) port (\d+): (.*?)(?:\. Their offer: (.*?))?(?: \[preauth\])?$/;
const SSH_BANNER = /^banner exchange: Connection from (\S+) port (\d+): (.*?)(?: \[preauth\])?$/;
const SSH_TIMEOUT = /^(?:fatal: )?Timeout before authentication for (\S+) port (\d+)/;
/** sshd closing a connection itself, such as after too many failures. */
const SSH_DISCONNECTING =
  /^Disconnecting (?:authenticating |invalid )?user (\S+) (\S+) port (\d+): (.*?)(?: \[preauth\])?$/;
const SSH_LISTENING = /^Server listening on (\S+) port (\d+)\.?$/;
const PAM_AUTH_FAILURE = /^pam_unix\(([^:)]+):auth\): authentication failure; (.*)$/;
/** PAM's summary when a connection ends after several failures: `PAM 2 more authentication failures; ...`. */
const PAM_MORE_FAILURES = /^PAM (\d+) more authentication failures?; (.*)$/;
const PAM_SESSION =
  /^pam_unix\(([^:)]+):session\): session (opened|closed) for user (\S+?)(?: by (\S*?)\(uid=(\d+)\))?$/;
const PAM_PASSWORD_CHANGED = /^pam_unix\(([^:)]+):chauthtok\): password changed for (\S+)$/;
const PAM_NO_SUCH_USER = /^pam_unix\(([^:)]+):chauthtok\): user "(.*)" does not exist(?: in \S+)?$/;
const SUDO = /^(\S+) : ([\s\S]*)$/;
const SU_RESULT = /^(Successful|FAILED) su for (\S+) by (\S+)$/;
const SU_SESSION = /^([+-]) (\S+) ([^:\s]+):(\S+)$/;
const NEW_USER = /^new user: name=([^,]+), UID=(\d+), GID=(\d+)/;
const FAILED_ADD_USER = /^failed adding user '([^']+)'/;
const DELETE_USER = /^delete user '([^']+)'/;
const NEW_GROUP = /^(?:new group|group added to \/etc\/group): name=([^,]+)(?:, GID=(\d+))?/;
const GROUP_ADDED_GSHADOW = /^group added to \/etc\/gshadow: name=(\S+)/;
const REMOVED_GROUP = /^removed group '([^']+)'/;
const ADD_TO_GROUP = /^add '([^']+)' to (?:shadow )?group '([^']+)'/;
const KEY_VALUE = /(\w+)=(\S*)/g;

/**
 * Maps a parsed syslog header and message, from an RFC 3164 or RFC 5424 line,
 * by the authentication and account rules; other messages become Base Events.
 */
export function eventFromSyslogHeader(
  header: SyslogHeader,
  metadata: Record<string, unknown> = HOST_PROFILE,
  unmapped?: Record<string, unknown>,
): OcsfEvent {
  const spec = mapMessage(header);
  // Assignments instead of object spreads: this runs once per line.
  const actor: Record<string, unknown> = {};
  const specActor = spec.attributes?.actor as Record<string, unknown> | undefined;
  if (specActor !== undefined) for (const key in specActor) actor[key] = specActor[key];
  actor.process = compact({ name: header.program, pid: header.pid });
  const attributes = merge(
    { device: { hostname: header.host, type_id: 0, type: 'Unknown' } },
    spec.attributes,
  );
  attributes.actor = actor;
  if (
    header.program === 'sshd' &&
    (spec.classUid === CLASS.SSH_ACTIVITY || spec.classUid === CLASS.AUTHENTICATION)
  ) {
    // The server end of an SSH connection is the host that wrote the line.
    const server = attributes.dst_endpoint as Record<string, unknown> | undefined;
    attributes.dst_endpoint = { hostname: header.host, ...server };
  }
  const full = spec as EventSpec;
  full.time = header.time;
  full.originalTime = header.originalTime;
  full.message = spec.message ?? header.message;
  full.product = PRODUCT;
  full.metadata = metadata;
  full.attributes = attributes;
  if (unmapped !== undefined) full.unmapped = unmapped;
  return createEvent(full);
}

const HOST_PROFILE = { profiles: ['host'] };

export interface SyslogHeader {
  time: number;
  originalTime: string;
  host: string;
  program: string;
  pid: number | undefined;
  message: string;
}

/** Normalizes one syslog line from an authentication log. */
export function normalizeLinuxAuth(input: RawEvent): NormalizeResult {
  if (typeof input.event !== 'string') {
    return failure(LINUX_AUTH, 'Linux auth event is not a text line');
  }
  const line = input.event.replace(/\r?\n$/, '');
  const header = parseSyslogHeader(line, input.time ?? input.receivedAt);
  if (header === undefined) {
    return failure(LINUX_AUTH, 'line does not start with a syslog timestamp, host and program');
  }
  const event = eventFromSyslogHeader(header);
  return { ok: true, event, normalizer: LINUX_AUTH };
}

export function parseSyslogHeader(line: string, referenceMillis: number): SyslogHeader | undefined {
  const match = SYSLOG_LINE.exec(line);
  if (match === null) return undefined;
  const [, stamp, month, day, year, hours, minutes, seconds, iso, host, program, pid, message] =
    match;
  let time: number | undefined;
  if (iso !== undefined) {
    // RFC 3339 requires a zone, but some senders leave it out; read those as UTC.
    time = parseIsoMillis(ISO_ZONE.test(iso) ? iso : `${iso}Z`);
  } else if (year !== undefined) {
    const monthIndex = MONTH_INDEX[month!];
    time =
      monthIndex === undefined
        ? undefined
        : Date.UTC(
            Number(year),
            monthIndex,
            Number(day),
            Number(hours),
            Number(minutes),
            Number(seconds),
          );
  } else {
    time = syslogTimeToMillis(
      month!,
      Number(day),
      Number(hours),
      Number(minutes),
      Number(seconds),
      referenceMillis,
    );
  }
  if (time === undefined) return undefined;
  return {
    time,
    originalTime: (iso ?? stamp)!,
    host: host!,
    program: program ?? '',
    pid: pid === undefined ? undefined : Number(pid),
    message: message!.trim(),
  };
}

type MessageSpec = Omit<EventSpec, 'time' | 'product'>;

function mapMessage(header: SyslogHeader): MessageSpec {
  let text = header.message;
  let count: number | undefined;
  const repeated = REPEATED.exec(text);
  if (repeated !== null) {
    count = Number(repeated[1]);
    text = repeated[2]!.trim();
  }
  const spec = mapText(header.program, text) ?? { classUid: CLASS.BASE_EVENT, activityId: 99 };
  if (count !== undefined) spec.attributes = { ...spec.attributes, count };
  return spec;
}

function mapText(program: string, text: string): MessageSpec | undefined {
  if (program === 'sshd') {
    const ssh = mapSshd(text);
    if (ssh) return ssh;
  }
  if (program === 'sudo') {
    const sudo = mapSudo(text);
    if (sudo) return sudo;
  }
  if (program === 'su') {
    const su = mapSu(text);
    if (su) return su;
  }
  return mapPam(program, text) ?? mapAccountTools(text);
}

function authentication(
  activityId: number,
  statusId: number,
  user: string | undefined,
  attributes: Record<string, unknown> = {},
  statusDetail?: string,
): MessageSpec {
  return {
    classUid: CLASS.AUTHENTICATION,
    activityId,
    statusId,
    statusDetail,
    attributes: compact({ user: user === undefined ? undefined : { name: user }, ...attributes }),
  };
}

/** Builds an SSH Activity event (4007) with the given activity, attributes and status detail. */
function sshActivity(
  activityId: number,
  attributes: Record<string, unknown>,
  statusDetail?: string,
): MessageSpec {
  const spec: MessageSpec = {
    classUid: CLASS.SSH_ACTIVITY,
    activityId,
    attributes: compact(attributes),
  };
  if (statusDetail !== undefined) spec.statusDetail = statusDetail;
  return spec;
}

/** OCSF `auth_protocol` for an sshd method; ssh methods have no dedicated auth_protocol_id. */
function authProtocol(method: string): Record<string, unknown> {
  return { auth_protocol: method, auth_protocol_id: 99, is_remote: true };
}

function mapSshd(text: string): MessageSpec | undefined {
  let match = SSH_ACCEPTED.exec(text);
  if (match !== null) {
    const [, method, user, ip, port, protocol, key] = match;
    return authentication(1, STATUS.SUCCESS, user, {
      src_endpoint: endpoint(ip, port),
      ...authProtocol(method!),
      unmapped: compact({ ssh_protocol: protocol, key }),
    });
  }
  match = SSH_FAILED.exec(text);
  if (match !== null) {
    const [, method, invalid, user, ip, port] = match;
    return authentication(
      1,
      STATUS.FAILURE,
      user,
      { src_endpoint: endpoint(ip, port), ...authProtocol(method!) },
      invalid ? 'Invalid user' : `Failed ${method}`,
    );
  }
  match = SSH_INVALID_USER.exec(text);
  if (match !== null) {
    const [, user, ip, port] = match;
    return authentication(
      1,
      STATUS.FAILURE,
      user,
      { src_endpoint: endpoint(ip, port), is_remote: true },
      'Invalid user',
    );
  }
  match = SSH_CLOSED.exec(text);
  if (match !== null) {
    const [, how, user, ip, port, code, reason, preauth] = match;
    const unmapped = compact({
      disconnect_code: code === undefined ? undefined : Number(code),
      preauth: preauth === undefined ? undefined : true,
    });
    return {
      classUid: CLASS.SSH_ACTIVITY,
      activityId: how === 'Connection reset by' ? 3 : 2,
      statusDetail: reason,
      attributes: compact({
        actor: user === undefined ? undefined : { user: { name: user } },
        src_endpoint: endpoint(ip, port),
        unmapped: Object.keys(unmapped).length > 0 ? unmapped : undefined,
      }),
    };
  }
  match = SSH_CONNECTION.exec(text);
  if (match !== null) {
    const [, ip, port, serverIp, serverPort] = match;
    return sshActivity(1, {
      src_endpoint: endpoint(ip, port),
      dst_endpoint: endpoint(serverIp, serverPort),
    });
  }
  match = SSH_NO_IDENTIFICATION.exec(text);
  if (match !== null) {
    return sshActivity(
      4,
      { src_endpoint: endpoint(match[1], match[2]) },
      'Did not receive identification string',
    );
  }
  match = SSH_BAD_VERSION.exec(text);
  if (match !== null) {
    const [, version, ip, port] = match;
    return sshActivity(
      4,
      {
        src_endpoint: endpoint(ip, port),
        unmapped: { client_version: version },
      },
      'Bad protocol version identification',
    );
  }
  match = SSH_SESSION.exec(text);
  if (match !== null) {
    const [, session, user, ip, port] = match;
    return sshActivity(1, {
      actor: { user: { name: user } },
      src_endpoint: endpoint(ip, port),
      unmapped: { session },
    });
  }
  match = SSH_SESSION_CLOSED.exec(text);
  if (match !== null) {
    const [, user, ip, port] = match;
    return sshActivity(2, { actor: { user: { name: user } }, src_endpoint: endpoint(ip, port) });
  }
  match = SSH_DISCONNECTING.exec(text);
  if (match !== null) {
    const [, user, ip, port, reason] = match;
    return sshActivity(
      2,
      { actor: { user: { name: user } }, src_endpoint: endpoint(ip, port) },
      reason,
    );
  }
  match = SSH_NEGOTIATION.exec(text) ?? SSH_BANNER.exec(text);
  if (match !== null) {
    const [, ip, port, reason, offer] = match;
    return sshActivity(
      4,
      {
        src_endpoint: endpoint(ip, port),
        unmapped: offer === undefined ? undefined : { client_offer: offer },
      },
      reason,
    );
  }
  match = SSH_TIMEOUT.exec(text);
  if (match !== null) {
    return sshActivity(
      4,
      { src_endpoint: endpoint(match[1], match[2]) },
      'Timeout before authentication',
    );
  }
  match = SSH_LISTENING.exec(text);
  if (match !== null) return sshActivity(7, { dst_endpoint: endpoint(match[1], match[2]) });
  match = SSH_MAX_ATTEMPTS.exec(text);
  if (match !== null) {
    const [, , user, ip, port] = match;
    return authentication(
      1,
      STATUS.FAILURE,
      user,
      { src_endpoint: endpoint(ip, port), is_remote: true },
      'Maximum authentication attempts exceeded',
    );
  }
  return undefined;
}

function mapPam(program: string, text: string): MessageSpec | undefined {
  let match = PAM_SESSION.exec(text);
  if (match !== null) {
    const [, service, action, user, by] = match;
    return authentication(action === 'opened' ? 1 : 2, STATUS.SUCCESS, user, {
      actor: by ? { user: { name: by } } : undefined,
      service: { name: service },
    });
  }
  match = PAM_AUTH_FAILURE.exec(text);
  if (match !== null) return pamFailure(match[1]!, match[2]!);
  match = PAM_MORE_FAILURES.exec(text);
  if (match !== null) {
    const spec = pamFailure(program, match[2]!);
    spec.attributes = { ...spec.attributes, count: Number(match[1]) };
    return spec;
  }
  match = PAM_PASSWORD_CHANGED.exec(text);
  if (match !== null) {
    return accountChange(3, STATUS.SUCCESS, match[2]!);
  }
  match = PAM_NO_SUCH_USER.exec(text);
  if (match !== null) {
    return { ...accountChange(3, STATUS.FAILURE, match[2]!), statusDetail: 'User does not exist' };
  }
  return undefined;
}

/** Builds a failed PAM authentication from the `key=value` pairs PAM logs with it. */
function pamFailure(service: string, pairs: string): MessageSpec {
  const fields = keyValues(pairs);
  const rhost = fields.rhost;
  let source: Record<string, unknown> | undefined;
  if (rhost !== undefined) source = isIpAddress(rhost) ? { ip: rhost } : { hostname: rhost };
  return authentication(
    1,
    STATUS.FAILURE,
    fields.user,
    {
      src_endpoint: source,
      service: { name: service },
      actor: fields.ruser ? { user: { name: fields.ruser } } : undefined,
    },
    'Authentication failure',
  );
}

function keyValues(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of text.matchAll(KEY_VALUE)) {
    if (match[2] !== '') fields[match[1]!] = match[2]!;
  }
  return fields;
}

/**
 * sudo logs `caller : [reason ; ]TTY=.. ; PWD=.. ; USER=target ; COMMAND=..`.
 * A granted command becomes Process Activity (Launch) so the command line is
 * searchable; a reason before TTY (`user NOT in sudoers`, `3 incorrect
 * password attempts`) marks a refusal.
 */
function mapSudo(text: string): MessageSpec | undefined {
  const match = SUDO.exec(text);
  if (match === null) return undefined;
  const [, caller, rest] = match;

  const commandAt = rest!.indexOf('COMMAND=');
  const command = commandAt >= 0 ? rest!.slice(commandAt + 'COMMAND='.length) : undefined;
  const fields: Record<string, string> = {};
  const reasons: string[] = [];
  const head = commandAt >= 0 ? rest!.slice(0, commandAt) : rest!;

  for (const part of head.split(' ; ')) {
    const trimmed = part.trim().replace(/ ;$/, '');
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals > 0 && !trimmed.includes(' '))
      fields[trimmed.slice(0, equals)] = trimmed.slice(equals + 1);
    else reasons.push(trimmed);
  }

  const target = fields.USER ?? 'root';
  const executable = command?.split(' ')[0];
  return {
    classUid: CLASS.PROCESS_ACTIVITY,
    activityId: 1,
    statusId: reasons.length > 0 ? STATUS.FAILURE : STATUS.SUCCESS,
    statusDetail: reasons.length > 0 ? reasons.join('; ') : undefined,
    attributes: {
      actor: { user: { name: caller } },
      process: compact({
        cmd_line: command,
        name: executable?.slice(executable.lastIndexOf('/') + 1),
        file: executable ? { path: executable, type_id: 1, type: 'Regular File' } : undefined,
        user: { name: target },
      }),
      unmapped: compact({ tty: fields.TTY, pwd: fields.PWD }),
    },
  };
}

function mapSu(text: string): MessageSpec | undefined {
  let match = SU_RESULT.exec(text);
  if (match !== null) {
    const [, result, target, caller] = match;
    const success = result === 'Successful';
    return authentication(
      1,
      success ? STATUS.SUCCESS : STATUS.FAILURE,
      target,
      { actor: { user: { name: caller } } },
      success ? undefined : 'su failed',
    );
  }
  match = SU_SESSION.exec(text);
  if (match !== null) {
    const [, result, tty, caller, target] = match;
    return authentication(1, result === '+' ? STATUS.SUCCESS : STATUS.FAILURE, target, {
      actor: { user: { name: caller } },
      unmapped: { tty },
    });
  }
  return undefined;
}

function accountChange(activityId: number, statusId: number, user: string, uid?: string) {
  return {
    classUid: CLASS.ACCOUNT_CHANGE,
    activityId,
    statusId,
    attributes: { user: compact({ name: user, uid }) },
  } satisfies MessageSpec;
}

function groupManagement(
  activityId: number,
  group: string,
  attributes: Record<string, unknown> = {},
) {
  return {
    classUid: CLASS.GROUP_MANAGEMENT,
    activityId,
    statusId: STATUS.SUCCESS,
    attributes: { group: { name: group }, ...attributes },
  } satisfies MessageSpec;
}

/** useradd, userdel, groupadd, groupdel and usermod messages from shadow-utils. */
function mapAccountTools(text: string): MessageSpec | undefined {
  let match = NEW_USER.exec(text);
  if (match !== null) return accountChange(1, STATUS.SUCCESS, match[1]!, match[2]);
  match = FAILED_ADD_USER.exec(text);
  if (match !== null) {
    return { ...accountChange(1, STATUS.FAILURE, match[1]!), statusDetail: text };
  }
  match = DELETE_USER.exec(text);
  if (match !== null) return accountChange(6, STATUS.SUCCESS, match[1]!);
  match = NEW_GROUP.exec(text);
  if (match !== null) {
    const gid = toInteger(match[2]);
    return groupManagement(
      6,
      match[1]!,
      gid === undefined ? {} : { group: { name: match[1], uid: String(gid) } },
    );
  }
  match = GROUP_ADDED_GSHADOW.exec(text);
  if (match !== null) return groupManagement(6, match[1]!);
  match = REMOVED_GROUP.exec(text);
  if (match !== null) return groupManagement(5, match[1]!);
  match = ADD_TO_GROUP.exec(text);
  if (match !== null) return groupManagement(3, match[2]!, { user: { name: match[1] } });
  return undefined;
}
