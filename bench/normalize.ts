/**
 * `npm run bench:normalize`: events per second of each normalizer in one
 * thread, as one piscina worker runs it, over events taken from the corpus.
 * JSON sources get the event already parsed, as the worker hands it over;
 * text sources get the line. Each pass runs `normalize()` (routing, mapping
 * and validation) over at least MIN_EVENTS events; the median of PASSES passes
 * is reported against the per-worker target, by wall-clock time and by the
 * process's CPU time. On a shared, busy machine the CPU-time rate is the steadier
 * measure of what one worker thread can do; GC helper threads count in it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalize, type RawEvent } from '../ingest/normalize/index.js';
import { CORPUS_DIR } from '../test/support/appliance.js';
import { updateReadmeSection } from './readme.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 7);
const MIN_EVENTS = Number(process.env.BENCH_MIN_EVENTS ?? 20_000);
const JSON_TARGET = 150_000;
const LINE_TARGET = 80_000;
const LOAD_AT_START = os.loadavg()[0]!;

interface Case {
  name: string;
  file: string;
  sourcetype: string;
  /** JSON events are parsed before timing, as the worker does. */
  json: boolean;
  target: number;
  /** Keeps only the lines this returns true for. */
  filter?: (line: string) => boolean;
}

const CASES: Case[] = [
  {
    name: 'OCSF passthrough',
    file: 'okta/ocsf-mapped/authentication.expected.ocsf.json',
    sourcetype: 'ocsf',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Zeek conn (JSON)',
    file: 'zeek/json/conn.log',
    sourcetype: 'zeek:conn:json',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Zeek dns (JSON)',
    file: 'zeek/json/dns.log',
    sourcetype: 'zeek:dns:json',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Zeek http (JSON)',
    file: 'zeek/json/http.log',
    sourcetype: 'zeek:http:json',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'CloudTrail',
    file: 'cloudtrail/otrf-ec2-proxy-s3-exfiltration.json',
    sourcetype: 'aws:cloudtrail',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Suricata alerts',
    file: 'suricata/wrccdc-2018-alerts.json',
    sourcetype: 'suricata',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Suricata mixed',
    file: 'suricata/eve-mixed-types.json',
    sourcetype: 'suricata',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Okta',
    file: 'okta/ocsf-mapped/authentication.json',
    sourcetype: 'OktaIM2:log',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Windows/Sysmon JSON',
    file: 'windows/otrf-lsass-dumpert-sysmon-security.json',
    sourcetype: '_json',
    json: true,
    target: JSON_TARGET,
  },
  {
    name: 'Linux auth.log',
    file: 'linux/auth.log',
    sourcetype: 'linux_secure',
    json: false,
    target: LINE_TARGET,
  },
  {
    name: 'syslog (RFC 3164)',
    file: 'syslog/rfc3164/mixed-pri-cef.log',
    sourcetype: 'syslog',
    json: false,
    target: LINE_TARGET,
    filter: (line) => !line.includes('CEF:'),
  },
  {
    name: 'Apache access_combined',
    file: 'web/apache/access_combined.log',
    sourcetype: 'access_combined',
    json: false,
    target: LINE_TARGET,
  },
  {
    name: 'CEF',
    file: 'syslog/cef/checkpoint-cef.log',
    sourcetype: 'cefevents',
    json: false,
    target: LINE_TARGET,
  },
  {
    name: 'Windows Security XML',
    file: 'windows/security.xml',
    sourcetype: 'XmlWinEventLog:Security',
    json: false,
    target: LINE_TARGET,
  },
];

/** Reads a corpus file as HEC events: one a line, or one pretty-printed object. */
function loadEvents(entry: Case): unknown[] {
  const text = fs.readFileSync(path.join(CORPUS_DIR, entry.file), 'utf8');
  const trimmed = text.trimStart();
  let lines: string[];
  if (trimmed.startsWith('{') && trimmed.includes('\n  ')) lines = [text];
  else if (trimmed.startsWith('[')) {
    return (JSON.parse(text) as unknown[]).map((item) => item);
  } else lines = text.split('\n').filter((line) => line !== '');
  if (entry.filter) lines = lines.filter(entry.filter);
  return entry.json ? lines.map((line) => JSON.parse(line) as unknown) : lines;
}

interface Row {
  name: string;
  sourcetype: string;
  perSecond: number;
  perCpuSecond: number;
  target: number;
  failures: number;
}

function measure(entry: Case): Row {
  const events = loadEvents(entry);
  const inputs: RawEvent[] = [];
  for (let i = 0; inputs.length < MIN_EVENTS; i++) {
    inputs.push({
      event: events[i % events.length],
      sourcetype: entry.sourcetype,
      source: 'bench',
      host: 'bench-host',
      index: 'main',
      receivedAt: Date.UTC(2026, 0, 5),
    });
  }
  let failures = 0;
  // Warm-up pass: lets V8 optimize the normalizer before timing.
  for (const input of inputs) if (!normalize(input).ok) failures++;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (const input of inputs) normalize(input);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    rates.push(inputs.length / seconds);
    cpuRates.push(inputs.length / ((used.user + used.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
  return {
    name: entry.name,
    sourcetype: entry.sourcetype,
    perSecond: rates[Math.floor(rates.length / 2)]!,
    perCpuSecond: cpuRates[Math.floor(cpuRates.length / 2)]!,
    target: entry.target,
    failures,
  };
}

const rows: Row[] = [];
for (const entry of CASES) {
  const row = measure(entry);
  rows.push(row);
  process.stderr.write(
    `${row.name.padEnd(24)} ${Math.round(row.perSecond).toLocaleString('en-US').padStart(10)}/s` +
      ` ${Math.round(row.perCpuSecond).toLocaleString('en-US').padStart(10)}/CPU-s` +
      ` (target ${row.target.toLocaleString('en-US')}, ${row.failures} failures in warm-up)\n`,
  );
}

const lines = [
  `Run on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}.`,
  `One thread, as one normalization worker runs it; median of ${PASSES} passes of at least ${MIN_EVENTS.toLocaleString('en-US')} corpus events each.`,
  'JSON events are parsed before timing (the worker parses them before `normalize()`); text events are the raw lines.',
  '',
  `Load average (1 min) at the start: ${LOAD_AT_START.toFixed(1)}.`,
  '',
  '| normalizer input | sourcetype | events/s (wall) | events per CPU-second | target | meets target (CPU) |',
  '| --- | --- | ---: | ---: | ---: | --- |',
  ...rows.map(
    (row) =>
      `| ${row.name} | \`${row.sourcetype}\` | ${Math.round(row.perSecond).toLocaleString('en-US')} | ${Math.round(row.perCpuSecond).toLocaleString('en-US')} | ${row.target.toLocaleString('en-US')} | ${row.perCpuSecond >= row.target ? 'yes' : 'no'} |`,
  ),
];
updateReadmeSection('normalize', lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\n`);
