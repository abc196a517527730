/**
 * Zeek logs beyond the connection-level ones: kerberos (Authentication),
 * dhcp, smtp, ftp and rdp (their OCSF network classes) and notice (Detection
 * Finding). `zeek.ts` adds the endpoints, time and metadata.
 */
import {
  CLASS,
  compact,
  type EventSpec,
  endpoint,
  SEVERITY,
  STATUS,
  statusFromResponseCode,
  statusFromSuccess,
  toInteger,
  toStringValue,
} from './ocsf.js';

export interface ZeekMapping {
  spec: Omit<EventSpec, 'time' | 'product'>;
  fields: ReadonlySet<string>;
}

const COMMON_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', '_path'];
const fieldSet = (...names: string[]): ReadonlySet<string> => new Set(COMMON_FIELDS.concat(names));

function text(value: unknown): string | undefined {
  const result = toStringValue(value);
  return result === '-' ? undefined : result;
}

function list(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.length > 0 ? value.map(String) : undefined;
  const single = text(value);
  return single === undefined ? undefined : [single];
}

const KERBEROS_FIELDS = fieldSet(
  'request_type',
  'client',
  'service',
  'success',
  'error_msg',
  'cipher',
);

/** Kerberos AS (ticket-granting ticket) and TGS (service ticket) exchanges. */
export function mapKerberos(record: Record<string, unknown>): ZeekMapping {
  const service = text(record.service);
  const requestType = text(record.request_type);
  const tgt = requestType === 'AS' || (requestType === undefined && service?.startsWith('krbtgt/'));
  const client = text(record.client);
  const slash = client?.indexOf('/') ?? -1;
  const success = typeof record.success === 'boolean' ? record.success : undefined;
  return {
    spec: {
      classUid: CLASS.AUTHENTICATION,
      activityId: tgt ? 3 : 4,
      statusId: statusFromSuccess(success),
      statusDetail: text(record.error_msg),
      message: `Kerberos ${tgt ? 'TGT' : 'service ticket'} request${client ? ` by ${client}` : ''}${service ? ` for ${service}` : ''}`,
      attributes: {
        user:
          client === undefined
            ? undefined
            : slash > 0
              ? { name: client.slice(0, slash), domain: client.slice(slash + 1) }
              : { name: client },
        service: service === undefined ? undefined : { name: service },
        auth_protocol_id: 2,
        auth_protocol: 'Kerberos',
      },
    },
    fields: KERBEROS_FIELDS,
  };
}

/** DHCP Activity activity_id by DHCP message type. */
const DHCP_ACTIVITY: Readonly<Record<string, number>> = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
};

const DHCP_FIELDS = fieldSet(
  'uids',
  'client_addr',
  'server_addr',
  'mac',
  'host_name',
  'domain',
  'assigned_addr',
  'lease_time',
  'msg_types',
);

/** A DHCP exchange; the activity is its last message type (the ACK of DISCOVER, OFFER, REQUEST, ACK). */
export function mapDhcp(record: Record<string, unknown>): ZeekMapping {
  const types = list(record.msg_types) ?? [];
  const last = types[types.length - 1];
  const lease = typeof record.lease_time === 'number' ? Math.round(record.lease_time) : undefined;
  const assigned = text(record.assigned_addr);
  return {
    spec: {
      classUid: CLASS.DHCP_ACTIVITY,
      activityId: last === undefined ? 0 : (DHCP_ACTIVITY[last] ?? 99),
      activityName: last,
      message: `DHCP ${types.join(' ')}`.trim(),
      attributes: {
        src_endpoint: endpoint(assigned ?? text(record.client_addr), undefined, {
          mac: text(record.mac),
          hostname: text(record.host_name),
          domain: text(record.domain),
        }),
        dst_endpoint: endpoint(text(record.server_addr)),
        lease_dur: lease,
        transaction_uid: Array.isArray(record.uids) ? String(record.uids[0]) : undefined,
      },
    },
    fields: DHCP_FIELDS,
  };
}

const SMTP_FIELDS = fieldSet(
  'mailfrom',
  'rcptto',
  'from',
  'to',
  'cc',
  'subject',
  'msg_id',
  'x_originating_ip',
  'trans_depth',
  'helo',
  'last_reply',
);

/** An SMTP transaction: one message sent from the originator to the responder. */
export function mapSmtp(record: Record<string, unknown>): ZeekMapping {
  const from = text(record.from) ?? text(record.mailfrom);
  const to = list(record.to) ?? list(record.rcptto);
  const reply = text(record.last_reply);
  const code = reply === undefined ? undefined : toInteger(reply.slice(0, 3));
  return {
    spec: {
      classUid: CLASS.EMAIL_ACTIVITY,
      activityId: 1,
      statusId: statusFromResponseCode(code),
      statusDetail: reply,
      message: `SMTP ${from ?? 'unknown sender'} to ${to?.join(', ') ?? 'unknown recipients'}`,
      attributes: {
        email: compact({
          from,
          to,
          cc: list(record.cc),
          subject: text(record.subject),
          message_uid: text(record.msg_id),
          smtp_from: text(record.mailfrom),
          smtp_to: list(record.rcptto),
          x_originating_ip: list(record.x_originating_ip),
        }),
        smtp_hello: text(record.helo),
      },
    },
    fields: SMTP_FIELDS,
  };
}

/** FTP Activity activity_id by FTP command. */
const FTP_COMMANDS: Readonly<Record<string, number>> = {
  STOR: 1,
  STOU: 1,
  APPE: 1,
  RETR: 2,
  DELE: 4,
  RNFR: 5,
  RNTO: 5,
  LIST: 6,
  NLST: 6,
  MLSD: 6,
};

const FTP_FIELDS = fieldSet(
  'user',
  'password',
  'command',
  'arg',
  'mime_type',
  'file_size',
  'reply_code',
  'reply_msg',
  'fuid',
);

export function mapFtp(record: Record<string, unknown>): ZeekMapping {
  const command = text(record.command)?.toUpperCase();
  const argument = text(record.arg);
  const code = toInteger(record.reply_code);
  const user = text(record.user);
  return {
    spec: {
      classUid: CLASS.FTP_ACTIVITY,
      activityId: command === undefined ? 0 : (FTP_COMMANDS[command] ?? 99),
      activityName: command,
      statusId: statusFromResponseCode(code),
      statusDetail: text(record.reply_msg),
      message: [command, argument, code].filter((part) => part !== undefined).join(' '),
      attributes: {
        command,
        user: user === undefined ? undefined : { name: user },
        file:
          argument === undefined || FTP_COMMANDS[command ?? ''] === 6
            ? undefined
            : compact({
                name: argument.slice(argument.lastIndexOf('/') + 1),
                path: argument,
                mime_type: text(record.mime_type),
                size: toInteger(record.file_size),
                uid: text(record.fuid),
                type_id: 1,
                type: 'Regular File',
              }),
        codes: code === undefined ? undefined : [code],
      },
    },
    fields: FTP_FIELDS,
  };
}

const RDP_FIELDS = fieldSet(
  'cookie',
  'result',
  'security_protocol',
  'client_build',
  'keyboard_layout',
  'desktop_width',
  'desktop_height',
  'requested_color_depth',
  'cert_type',
  'cert_count',
);

/** `status_id` by Zeek RDP `result`; other results are server errors, so failures. */
const RDP_RESULT_STATUS: ReadonlyMap<string, number> = new Map<string, number>([
  ['Success', STATUS.SUCCESS],
  // Zeek writes "encrypted" when the rest of the handshake is under TLS, so the outcome is not seen.
  ['encrypted', STATUS.UNKNOWN],
]);

/** An RDP connection request with the client's cookie (user name) and the result. */
export function mapRdp(record: Record<string, unknown>): ZeekMapping {
  const result = text(record.result);
  const cookie = text(record.cookie);
  return {
    spec: {
      classUid: CLASS.RDP_ACTIVITY,
      activityId: 3,
      statusId:
        result === undefined ? undefined : (RDP_RESULT_STATUS.get(result) ?? STATUS.FAILURE),
      statusDetail: result === 'Success' ? undefined : result,
      message: `RDP connection${cookie ? ` by ${cookie}` : ''}${result ? `: ${result}` : ''}`,
      attributes: {
        user: cookie === undefined ? undefined : { name: cookie },
        protocol_ver: text(record.security_protocol),
        remote_display: compact({
          physical_width: toInteger(record.desktop_width),
          physical_height: toInteger(record.desktop_height),
          color_depth: toInteger(record.requested_color_depth),
        }),
      },
    },
    fields: RDP_FIELDS,
  };
}

const NOTICE_FIELDS = fieldSet(
  'note',
  'msg',
  'sub',
  'src',
  'dst',
  'p',
  'actions',
  'fuid',
  'suppress_for',
);

/** A Zeek notice: a finding of a detection script, named by `note` (`Scan::Port_Scan`). */
export function mapNotice(record: Record<string, unknown>): ZeekMapping {
  const note = text(record.note) ?? 'Zeek notice';
  const message = text(record.msg);
  const src = text(record.src);
  const dst = text(record.dst);
  return {
    spec: {
      classUid: CLASS.DETECTION_FINDING,
      activityId: 1,
      severityId: SEVERITY.MEDIUM,
      message: message ?? note,
      attributes: {
        finding_info: compact({
          uid: text(record.uid) ?? text(record.fuid) ?? `${String(record.ts)}:${note}`,
          title: note,
          desc: [message, text(record.sub)].filter(Boolean).join(': ') || undefined,
          types: [note],
        }),
        src_endpoint: src === undefined ? undefined : endpoint(src),
        dst_endpoint: dst === undefined ? undefined : endpoint(dst, record.p),
        action: list(record.actions)?.join(','),
      },
    },
    fields: NOTICE_FIELDS,
  };
}
