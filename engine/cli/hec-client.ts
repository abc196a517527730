import cliProgress from 'cli-progress';
import { JsonText } from './import-file.js';

export interface SendOptions {
  /** Sourcetype of every event; when absent the server decides from the content. */
  sourcetype?: string;
  source?: string;
  host?: string;
  index?: string;
  batchSize: number;
  /** Show a progress bar on stderr. */
  progress: boolean;
}

/** Largest request body the client builds; HEC's default cap is 1,000,000 bytes. */
const MAX_BODY_BYTES = 900_000;
const MAX_ATTEMPTS = 6;

/** A small HEC client: batches envelopes and retries 503 and 429 answers. */
/**
 * Builds the HEC envelope of one event. JSON events go as their source text, which keeps large
 * integers exact and the raw text the appliance stores as written.
 */
export function envelopeOf(
  event: unknown,
  options: Pick<SendOptions, 'sourcetype' | 'source' | 'host' | 'index'>,
): string {
  const metadata = JSON.stringify({
    sourcetype: options.sourcetype,
    source: options.source,
    host: options.host,
    index: options.index,
  });
  const eventJson = event instanceof JsonText ? event.text : JSON.stringify(event);
  return metadata === '{}'
    ? `{"event":${eventJson}}`
    : `{"event":${eventJson},${metadata.slice(1)}`;
}

export class HecClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends every event; returns how many the server accepted. */
  async sendEvents(events: readonly unknown[], options: SendOptions): Promise<number> {
    const bar = options.progress
      ? new cliProgress.SingleBar(
          { format: 'sending [{bar}] {value}/{total} events {percentage}% | {duration_formatted}' },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    bar?.start(events.length, 0);
    let sent = 0;
    try {
      let body = '';
      let inBody = 0;
      for (const event of events) {
        const envelope = envelopeOf(event, options);
        if (
          inBody > 0 &&
          (inBody >= options.batchSize || body.length + envelope.length > MAX_BODY_BYTES)
        ) {
          await this.post(body);
          sent += inBody;
          bar?.update(sent);
          body = '';
          inBody = 0;
        }
        body += `${envelope}\n`;
        inBody++;
      }
      if (inBody > 0) {
        await this.post(body);
        sent += inBody;
        bar?.update(sent);
      }
    } finally {
      bar?.stop();
    }
    return sent;
  }

  /**
   * Posts one body of envelopes to `/services/collector/event`, retrying on connection errors
   * and on 503 and 429 (after `Retry-After` when given).
   */
  async post(body: string): Promise<void> {
    const url = new URL('/services/collector/event', this.baseUrl);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { Authorization: `Splunk ${this.token}`, 'Content-Type': 'application/json' },
          body,
        });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`cannot reach HEC at ${url.origin}: ${(error as Error).message}`);
        await sleep(250 * 2 ** attempt);
        continue;
      }
      const text = await response.text();
      if (response.ok) return;
      if ((response.status === 503 || response.status === 429) && attempt < MAX_ATTEMPTS) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** attempt,
        );
        continue;
      }
      throw new Error(`HEC rejected the batch with HTTP ${response.status}: ${text}`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
