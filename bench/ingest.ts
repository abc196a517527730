/**
 * `npm run bench:ingest`: HEC ingest throughput of the appliance against a
 * ceiling server that only parses the same bodies, in the same run.
 *
 * Environment: BENCH_SECONDS (default 60) per target, BENCH_CONNECTIONS
 * (default 16).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { CORPUS_DIR, REPO_ROOT, startAppliance } from '../test/support/appliance.js';
import { updateReadmeSection } from './readme.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const EVENTS_PER_REQUEST = 100;
const DISTINCT_BODIES = 64;

interface Sample {
  sourcetype: string;
  event: unknown;
}

/** Realistic mixed events taken from the corpus: auth lines, Zeek, Windows XML, CloudTrail, web logs. */
function loadSamples(): Sample[] {
  const lines = (file: string) =>
    fs
      .readFileSync(path.join(CORPUS_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const take = <T>(items: T[], count: number) => items.slice(0, count);
  return [
    ...take(lines('linux/auth.log'), 400).map((event) => ({ sourcetype: 'linux_secure', event })),
    ...take(lines('zeek/json/conn.log'), 300).map((line) => ({
      sourcetype: 'zeek:conn:json',
      event: JSON.parse(line) as unknown,
    })),
    ...take(lines('web/apache/access_combined.log'), 300).map((event) => ({
      sourcetype: 'access_combined',
      event,
    })),
    ...take(lines('windows/security.xml'), 150).map((event) => ({
      sourcetype: 'XmlWinEventLog:Security',
      event,
    })),
    ...take(lines('cloudtrail/otrf-ec2-proxy-s3-exfiltration.json'), 100).map((line) => ({
      sourcetype: 'aws:cloudtrail',
      event: JSON.parse(line) as unknown,
    })),
  ];
}

function buildBodies(samples: Sample[]): string[] {
  const bodies: string[] = [];
  let next = 0;
  for (let b = 0; b < DISTINCT_BODIES; b++) {
    const envelopes: string[] = [];
    for (let e = 0; e < EVENTS_PER_REQUEST; e++) {
      const sample = samples[(next++ * 7919) % samples.length]!;
      envelopes.push(
        JSON.stringify({ event: sample.event, sourcetype: sample.sourcetype, host: 'bench' }),
      );
    }
    bodies.push(`${envelopes.join('\n')}\n`);
  }
  return bodies;
}

interface Run {
  target: string;
  eventsPerSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function drive(target: string, url: string, token: string, bodies: string[]): Promise<Run> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: bodies.map((body) => ({
      method: 'POST',
      path: '/services/collector/event',
      headers: { Authorization: `Splunk ${token}`, 'Content-Type': 'application/json' },
      body,
    })),
  });
  const okRequests = result.requests.total - result.non2xx;
  const bytesPerRequest =
    bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length;
  return {
    target,
    eventsPerSecond: (okRequests * EVENTS_PER_REQUEST) / SECONDS,
    megabytesPerSecond: (okRequests * bytesPerRequest) / SECONDS / 1e6,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Largest resident set of a process so far, in MiB, from /proc. */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function startCeiling(): Promise<{ port: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist', 'bench', 'ceiling-server.js')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    );
    child.once('exit', (code) => reject(new Error(`ceiling server exited with code ${code}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const bodies = buildBodies(loadSamples());
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length;
  process.stderr.write(
    `bench:ingest: ${DISTINCT_BODIES} bodies of ${EVENTS_PER_REQUEST} events, ${Math.round(bytes / EVENTS_PER_REQUEST)} bytes per event, ${SECONDS} s per target, ${CONNECTIONS} connections\n`,
  );

  const ceiling = await startCeiling();
  const ceilingRun = await drive(
    'ceiling (JSON.parse only)',
    `http://127.0.0.1:${ceiling.port}`,
    'x',
    bodies,
  );
  ceiling.stop();

  const appliance = await startAppliance();
  let applianceRun: Run;
  let rss: number;
  let stored: number;
  try {
    applianceRun = await drive('TelHawk appliance', appliance.hecUrl, appliance.hecToken, bodies);
    rss = peakRssMiB(appliance.process.pid!);
    const metrics = await (await fetch(`${appliance.httpUrl}/metrics`)).text();
    stored = Number(/^telhawk_events_stored_total (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
  } finally {
    await appliance.stop();
    fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  }

  const ratio = applianceRun.eventsPerSecond / ceilingRun.eventsPerSecond;
  const rows = [ceilingRun, applianceRun].map(
    (run) =>
      `| ${run.target} | ${Math.round(run.eventsPerSecond).toLocaleString('en-US')} | ${run.megabytesPerSecond.toFixed(1)} | ${run.p50Ms} | ${run.p99Ms} | ${run.non2xx} | ${run.errors} |`,
  );
  const section = [
    `Run on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}; ${SECONDS} s per target, ${CONNECTIONS} connections, ${EVENTS_PER_REQUEST}-event requests of mixed corpus events (${Math.round(bytes / EVENTS_PER_REQUEST)} bytes per event). Every 2xx means the events were synced to disk in the row log, from which a loader moves them into the DuckDB hot table.`,
    '',
    '| target | events/s | MB/s | p50 ms | p99 ms | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Ratio to the ceiling: **${ratio.toFixed(2)}**. Peak RSS of the appliance: ${Math.round(rss)} MiB. Events stored by the appliance during the run: ${stored.toLocaleString('en-US')}.`,
  ].join('\n');
  updateReadmeSection('ingest', section);
  process.stdout.write(`${section}\n`);
}

await main();
