import { describe, expect, test } from 'vitest';
import { normalize } from './index.js';
import type { NormalizeResult } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk into arbitrary OCSF JSON.
type Json = Record<string, any>;

/** 2026-01-05T00:00:00Z */
const RECEIVED_AT = Date.UTC(2026, 0, 5);

function normalizeLine(line: string, time?: number): NormalizeResult {
  return normalize({
    event: line,
    sourcetype: 'linux_secure',
    source: '/var/log/auth.log',
    host: 'h',
    index: 'main',
    time,
    receivedAt: RECEIVED_AT,
  });
}

function eventOf(line: string, time?: number): Json {
  const result = normalizeLine(line, time);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('linux auth time', () => {
  test('year from receive time', () => {
    const event = eventOf('Jan  4 13:06:56 web1 sshd[1291]: Server listening on 0.0.0.0 port 22.');
    expect(event.time).toBe(Date.UTC(2026, 0, 4, 13, 6, 56));
    expect(event.metadata.original_time).toBe('Jan  4 13:06:56');
  });

  test('December line read in January', () => {
    const event = eventOf('Dec 31 23:59:59 web1 CRON[1]: x');
    expect(event.time).toBe(Date.UTC(2025, 11, 31, 23, 59, 59));
  });

  test('HEC envelope time wins over the text', () => {
    const envelope = Date.UTC(2017, 2, 28, 1, 2, 3, 500);
    const event = eventOf('Mar 27 13:06:56 web1 sshd[1]: x', envelope);
    expect(event.time).toBe(envelope);
    expect(event.metadata.original_time).toBe('Mar 27 13:06:56');
  });

  test('RFC 3339 timestamp', () => {
    const event = eventOf('2024-05-01T10:00:00.250+02:00 web1 sshd[7]: x');
    expect(event.time).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 250));
  });
});

describe('linux auth sshd connection ends', () => {
  test.each([
    ['Connection closed by 203.0.113.20 port 40100 [preauth]', 2, undefined, { preauth: true }],
    ['Disconnected from 203.0.113.20 port 40100', 2, undefined, undefined],
    [
      'Received disconnect from 203.0.113.20 port 40100:11: Bye Bye [preauth]',
      2,
      undefined,
      { disconnect_code: 11, preauth: true },
    ],
    ['Connection reset by 203.0.113.20 port 40100 [preauth]', 3, undefined, { preauth: true }],
    [
      'Connection closed by authenticating user root 203.0.113.20 port 40100 [preauth]',
      2,
      'root',
      { preauth: true },
    ],
    [
      'Disconnected from invalid user admin 203.0.113.20 port 40100 [preauth]',
      2,
      'admin',
      { preauth: true },
    ],
    ['Disconnected from user ubuntu 203.0.113.20 port 40100', 2, 'ubuntu', undefined],
  ])('%s', (message, activityId, user, unmapped) => {
    const event = eventOf(`Mar 27 13:08:09 web1 sshd[1361]: ${message}`);
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(activityId);
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.20', port: 40100 });
    expect(event.actor?.user?.name).toBe(user);
    expect(event.unmapped).toEqual(unmapped);
  });

  test('the reason the client gave', () => {
    const event = eventOf(
      'Mar 27 13:08:09 web1 sshd[1361]: Received disconnect from 203.0.113.20 port 40100:11: disconnected by user',
    );
    expect(event.status_detail).toBe('disconnected by user');
  });
});

describe('linux auth sshd connections', () => {
  test('connection from a client, with both ends', () => {
    const event = eventOf(
      'Mar 28 19:13:30 host sshd[29543]: Connection from 203.0.113.10 port 61663 on 10.77.20.248 port 22',
    );
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(1);
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.10', port: 61663 });
    expect(event.dst_endpoint).toEqual({ hostname: 'host', ip: '10.77.20.248', port: 22 });
  });

  test.each([
    [
      'Did not receive identification string from 198.51.100.9',
      'Did not receive identification string',
      { ip: '198.51.100.9' },
    ],
    [
      'Did not receive identification string from 198.51.100.9 port 4242',
      'Did not receive identification string',
      { ip: '198.51.100.9', port: 4242 },
    ],
    [
      "Bad protocol version identification 'GET / HTTP/1.1' from 198.51.100.9 port 55172",
      'Bad protocol version identification',
      { ip: '198.51.100.9', port: 55172 },
    ],
    [
      'fatal: Unable to negotiate with 198.51.100.9 port 50122: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]',
      'no matching key exchange method found',
      { ip: '198.51.100.9', port: 50122 },
    ],
    [
      'Unable to negotiate with 2001:db8::9 port 50122: no matching host key type found. Their offer: ssh-dss [preauth]',
      'no matching host key type found',
      { ip: '2001:db8::9', port: 50122 },
    ],
    [
      'banner exchange: Connection from 198.51.100.9 port 41234: invalid format',
      'invalid format',
      { ip: '198.51.100.9', port: 41234 },
    ],
    [
      'fatal: Timeout before authentication for 198.51.100.9 port 41234',
      'Timeout before authentication',
      { ip: '198.51.100.9', port: 41234 },
    ],
  ])('%s as a failed SSH connection', (text, detail, source) => {
    const event = eventOf(`Mar 28 19:13:30 host sshd[2951]: ${text}`);
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(4);
    expect(event.status_detail).toBe(detail);
    expect(event.src_endpoint).toEqual(source);
  });

  test('the version a client sent is kept', () => {
    const event = eventOf(
      "Mar 28 19:13:30 host sshd[2951]: Bad protocol version identification 'GET / HTTP/1.1' from 198.51.100.9 port 55172",
    );
    expect(event.unmapped.client_version).toBe('GET / HTTP/1.1');
  });

  test('client algorithm offer kept', () => {
    const event = eventOf(
      'Mar 28 19:13:30 host sshd[2951]: fatal: Unable to negotiate with 198.51.100.9 port 50122: no matching cipher found. Their offer: aes128-cbc,3des-cbc [preauth]',
    );
    expect(event.unmapped.client_offer).toBe('aes128-cbc,3des-cbc');
  });

  test('server end is the logging host', () => {
    const event = eventOf(
      'Mar 28 19:13:30 web-1 sshd[2951]: Failed password for root from 198.51.100.9 port 41234 ssh2',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.dst_endpoint).toEqual({ hostname: 'web-1' });
  });

  test('server listening on a port', () => {
    const event = eventOf('Mar 28 19:13:30 web-1 sshd[1022]: Server listening on :: port 22.');
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(7);
    expect(event.dst_endpoint).toEqual({ hostname: 'web-1', ip: '::', port: 22 });
    expect(event.src_endpoint).toBeUndefined();
  });

  test.each([
    ['Close session: user ubuntu from 203.0.113.10 port 61663 id 0', undefined],
    [
      'Disconnecting invalid user ubuntu 203.0.113.10 port 61663: Too many authentication failures [preauth]',
      'Too many authentication failures',
    ],
  ])('%s as a closed SSH connection with its user', (text, detail) => {
    const event = eventOf(`Mar 28 19:13:32 host sshd[29582]: ${text}`);
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(2);
    expect(event.actor.user.name).toBe('ubuntu');
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.10', port: 61663 });
    expect(event.status_detail).toBe(detail);
  });

  test('session start with its user', () => {
    const event = eventOf(
      'Mar 28 19:13:32 host sshd[29582]: Starting session: shell on pts/0 for ubuntu from 203.0.113.10 port 61663 id 0',
    );
    expect(event.class_uid).toBe(4007);
    expect(event.activity_id).toBe(1);
    expect(event.actor.user.name).toBe('ubuntu');
    expect(event.actor.process.name).toBe('sshd');
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.10', port: 61663 });
    expect(event.unmapped.session).toBe('shell on pts/0');
  });
});

describe('linux auth sshd', () => {
  test('accepted publickey', () => {
    const event = eventOf(
      'Mar 27 13:08:09 ip-10-77-20-248 sshd[1361]: Accepted publickey for ubuntu from 203.0.113.10 port 54259 ssh2: RSA SHA256:Kl8k',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.activity_id).toBe(1);
    expect(event.type_uid).toBe(300201);
    expect(event.status_id).toBe(1);
    expect(event.user.name).toBe('ubuntu');
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.10', port: 54259 });
    expect(event.auth_protocol).toBe('publickey');
    expect(event.device.hostname).toBe('ip-10-77-20-248');
    expect(event.actor.process).toEqual({ name: 'sshd', pid: 1361 });
    expect(event.observables).toContainEqual({
      name: 'src_endpoint.ip',
      type_id: 2,
      type: 'IP Address',
      value: '203.0.113.10',
    });
  });

  test('failed password for invalid user', () => {
    const event = eventOf(
      'Mar 28 02:00:01 host sshd[2]: Failed password for invalid user admin from 5.188.10.180 port 41234 ssh2',
    );
    expect(event.status_id).toBe(2);
    expect(event.status).toBe('Failure');
    expect(event.status_detail).toBe('Invalid user');
    expect(event.user.name).toBe('admin');
    expect(event.src_endpoint.port).toBe(41234);
  });

  test('invalid user without port', () => {
    const event = eventOf('Mar 28 02:00:01 host sshd[2]: Invalid user  from 5.188.10.180');
    expect(event.class_uid).toBe(3002);
    expect(event.status_id).toBe(2);
    expect(event.user.name).toBe('');
    expect(event.src_endpoint).toEqual({ ip: '5.188.10.180' });
  });

  test('repeated message keeps count', () => {
    const event = eventOf(
      'Mar 28 02:00:01 host sshd[2]: message repeated 5 times: [ Failed password for root from 5.188.10.180 port 1 ssh2]',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.count).toBe(5);
    expect(event.user.name).toBe('root');
  });

  test('PAM session opened and closed', () => {
    const opened = eventOf(
      'Mar 27 13:09:37 host sudo: pam_unix(sudo:session): session opened for user root by ubuntu(uid=0)',
    );
    expect(opened.activity_id).toBe(1);
    expect(opened.user.name).toBe('root');
    expect(opened.actor.user.name).toBe('ubuntu');
    const closed = eventOf(
      'Mar 27 13:09:38 host sshd[5]: pam_unix(sshd:session): session closed for user ubuntu',
    );
    expect(closed.class_uid).toBe(3002);
    expect(closed.activity_id).toBe(2);
    expect(closed.activity_name).toBe('Logoff');
  });

  test('PAM authentication failure', () => {
    const event = eventOf(
      'Mar 29 14:15:50 host sshd[2414]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27  user=root',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.status_id).toBe(2);
    expect(event.user.name).toBe('root');
    expect(event.src_endpoint).toEqual({ ip: '181.25.206.27' });
    expect(event.service).toEqual({ name: 'sshd' });
    expect(event.count).toBeUndefined();
  });

  test.each([
    ['PAM 5 more authentication failures', 5],
    ['PAM 1 more authentication failure', 1],
  ])('%s as failures with their count', (summary, count) => {
    const event = eventOf(
      `Mar 29 23:18:33 host sshd[6402]: ${summary}; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.60.136.106  user=root`,
    );
    expect(event.class_uid).toBe(3002);
    expect(event.activity_id).toBe(1);
    expect(event.status_id).toBe(2);
    expect(event.count).toBe(count);
    expect(event.user.name).toBe('root');
    expect(event.src_endpoint).toEqual({ ip: '218.60.136.106' });
    expect(event.service).toEqual({ name: 'sshd' });
  });

  test('PAM failure summary without a user', () => {
    const event = eventOf(
      'Mar 29 14:16:23 host sshd[2475]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=181.25.206.27',
    );
    expect(event.class_uid).toBe(3002);
    expect(event.user).toBeUndefined();
    expect(event.src_endpoint).toEqual({ ip: '181.25.206.27' });
  });
});

describe('linux auth privilege and accounts', () => {
  test('sudo command as process launch', () => {
    const event = eventOf(
      'Mar 27 13:09:37 host sudo:   ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; USER=root ; COMMAND=/usr/bin/curl -L -O https://x.example/a.deb',
    );
    expect(event.class_uid).toBe(1007);
    expect(event.activity_id).toBe(1);
    expect(event.status_id).toBe(1);
    expect(event.actor.user.name).toBe('ubuntu');
    expect(event.process.cmd_line).toBe('/usr/bin/curl -L -O https://x.example/a.deb');
    expect(event.process.name).toBe('curl');
    expect(event.process.user.name).toBe('root');
  });

  test('sudo refused', () => {
    const event = eventOf(
      'Mar 27 13:09:37 host sudo:   eve : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh',
    );
    expect(event.status_id).toBe(2);
    expect(event.status_detail).toBe('user NOT in sudoers');
    expect(event.process.cmd_line).toBe('/bin/sh');
  });

  test('su success', () => {
    const event = eventOf('Mar 29 10:00:00 host su[9]: Successful su for root by ubuntu');
    expect(event.class_uid).toBe(3002);
    expect(event.user.name).toBe('root');
    expect(event.actor.user.name).toBe('ubuntu');
  });

  test('useradd new user', () => {
    const event = eventOf(
      'Mar 29 10:32:51 host useradd[30]: new user: name=elastic_user_1, UID=1001, GID=1001, home=/home/elastic_user_1, shell=/bin/bash',
    );
    expect(event.class_uid).toBe(3001);
    expect(event.activity_id).toBe(1);
    expect(event.user).toEqual({ name: 'elastic_user_1', uid: '1001' });
  });

  test('groupadd new group', () => {
    const event = eventOf('Mar 29 10:32:51 host groupadd[31]: new group: name=ops, GID=1002');
    expect(event.class_uid).toBe(3006);
    expect(event.activity_id).toBe(6);
    expect(event.group).toEqual({ name: 'ops', uid: '1002' });
  });

  test('password change', () => {
    const event = eventOf(
      'Mar 29 10:32:51 host chpasswd[32]: pam_unix(chpasswd:chauthtok): password changed for ops1',
    );
    expect(event.class_uid).toBe(3001);
    expect(event.activity_id).toBe(3);
    expect(event.user.name).toBe('ops1');
  });

  test('other line as Base Event', () => {
    const event = eventOf(
      'Mar 27 13:08:09 host systemd-logind[1118]: New session 1 of user ubuntu.',
    );
    expect(event.class_uid).toBe(0);
    expect(event.category_uid).toBe(0);
    expect(event.activity_id).toBe(99);
    expect(event.activity_name).toBe('Other');
    expect(event.message).toBe('New session 1 of user ubuntu.');
    expect(event.device.hostname).toBe('host');
  });

  test('line without syslog header', () => {
    const result = normalizeLine('just some words');
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toBe(
      'line does not start with a syslog timestamp, host and program',
    );
  });
});
