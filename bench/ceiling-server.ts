/**
 * The ingest ceiling: a uWS server that only reads each HEC body, runs
 * `JSON.parse` on every envelope and answers success. The ingest benchmark
 * compares the appliance against it. Prints its port on stdout when ready.
 */
import uWS from 'uWebSockets.js';

const app = uWS.App();
let events = 0;

app.post('/services/collector/event', (res) => {
  let aborted = false;
  const chunks: Buffer[] = [];
  res.onAborted(() => {
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(chunk.slice(0)));
    if (!isLast || aborted) return;
    const body = Buffer.concat(chunks).toString('utf8');
    for (const line of body.split('\n')) {
      if (line.length > 0) {
        JSON.parse(line);
        events++;
      }
    }
    res.cork(() => {
      res.writeHeader('Content-Type', 'application/json').end('{"text":"Success","code":0}');
    });
  });
});

app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) {
    process.stderr.write('ceiling server could not listen\n');
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ port: uWS.us_socket_local_port(socket) })}\n`);
});

process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ events })}\n`);
  process.exit(0);
});
