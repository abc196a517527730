/**
 * Browser test of the web UI: real Chromium against a real appliance started from `dist/`.
 * Needs `npm run build` first (the appliance and the UI bundle) and Debian's chromium package.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, startAppliance } from './support/appliance.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const SCREENSHOT_PATH = '/tmp/telhawk-ui.png';
const hasChromium = fs.existsSync(CHROMIUM_PATH);
const suite = hasChromium ? describe : describe.skip;
const suiteName = hasChromium
  ? 'web UI in Chromium'
  : `web UI in Chromium (skipped: ${CHROMIUM_PATH} is missing; apt-get install -y chromium)`;

/** Word that every test event contains, so that one free-text search finds them all. */
const MARKER = 'uie2emarker';
const XSS_MESSAGE = `${MARKER} <img src=x onerror="window.__xss=1"> <script>window.__xss=1</script>`;
/** A file name whose right-to-left override makes `gnp.exe` read as `exe.png`. */
const BIDI_MESSAGE = `${MARKER} RTL \u202Egnp.exe`;

const TEST_EVENTS = [
  { message: `${MARKER} user alice logged in`, user: 'alice', src_ip: '10.0.0.5', action: 'login' },
  {
    message: `${MARKER} user bob failed to log in`,
    user: 'bob',
    src_ip: '10.0.0.6',
    action: 'login',
  },
  {
    message: XSS_MESSAGE,
    user: '<b>mallory</b>',
    src_ip: '10.0.0.7',
    action: 'javascript:alert(1)',
  },
  { message: BIDI_MESSAGE, user: 'carol\u2067', src_ip: '10.0.0.8', action: 'download' },
];

type Appliance = Awaited<ReturnType<typeof startAppliance>>;

async function sendEvents(appliance: Appliance): Promise<void> {
  const body = TEST_EVENTS.map((event) =>
    JSON.stringify({
      event,
      sourcetype: '_json',
      host: 'e2e-host',
      fields: { env: '<b>prod</b>', tags: ['blue', 'green'] },
    }),
  ).join('\n');
  const response = await fetch(`${appliance.hecUrl}/services/collector/event`, {
    method: 'POST',
    headers: { Authorization: `Splunk ${appliance.hecToken}`, 'Content-Type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`HEC request failed with HTTP ${response.status}: ${text}`);
}

/** Word of the events that test paging, which no other test event contains. */
const PAGE_MARKER = 'uipagemarker';

/** Events that test paging: more than the 10,000 rows one request may return. */
const PAGE_EVENTS = 10_250;

/** Sends the paging events, each with its number `n`, in a few HEC requests. */
async function sendPageEvents(appliance: Appliance): Promise<void> {
  const batchSize = 2500;
  for (let first = 0; first < PAGE_EVENTS; first += batchSize) {
    const count = Math.min(batchSize, PAGE_EVENTS - first);
    const body = Array.from({ length: count }, (_, index) =>
      JSON.stringify({
        event: { message: `${PAGE_MARKER} event ${first + index}`, n: first + index },
        sourcetype: '_json',
        host: 'e2e-paging',
      }),
    ).join('\n');
    const response = await fetch(`${appliance.hecUrl}/services/collector/event`, {
      method: 'POST',
      headers: {
        Authorization: `Splunk ${appliance.hecToken}`,
        'Content-Type': 'application/json',
      },
      body,
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`HEC request failed with HTTP ${response.status}: ${text}`);
  }
}

/** A Corelight conn event of the corpus, whose `unmapped` keys have dots, as Zeek names them. */
const ZEEK_FILE = 'zeek/ocsf-mapped/conn_log.json';

async function sendZeekEvent(appliance: Appliance): Promise<void> {
  const text = fs.readFileSync(path.join(CORPUS_DIR, ZEEK_FILE), 'utf8');
  const response = await fetch(`${appliance.hecUrl}/services/collector/event`, {
    method: 'POST',
    headers: { Authorization: `Splunk ${appliance.hecToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ event: text, sourcetype: 'zeek:conn:json', host: 'e2e-sensor' }),
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`HEC request failed with HTTP ${response.status}: ${body}`);
}

function queryBox(page: Page): Locator {
  return page.locator('th-search textarea[aria-label="Query"]');
}

async function runSearch(page: Page, query: string): Promise<void> {
  const box = queryBox(page);
  await box.fill(query);
  await box.press('Enter');
}

suite(suiteName, () => {
  let appliance: Appliance;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    appliance = await startAppliance();
    await sendEvents(appliance);
    await sendZeekEvent(appliance);
    await sendPageEvents(appliance);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await appliance?.stop();
    if (appliance) fs.rmSync(appliance.dataDir, { recursive: true, force: true });
  });

  it('rejects a wrong password', async () => {
    await page.goto(appliance.httpUrl);
    await page.locator('th-login input[name="username"]').fill('admin');
    await page.locator('th-login input[name="password"]').fill('not-the-password');
    await page.locator('th-login button[type="submit"]').click();
    const error = page.locator('th-login .error');
    await error.waitFor();
    expect(await error.textContent()).toContain('invalid username or password');
  });

  it('logs in as admin', async () => {
    await page.locator('th-login input[name="password"]').fill(appliance.adminPassword);
    await page.locator('th-login button[type="submit"]').click();
    await queryBox(page).waitFor();
    expect(await page.locator('th-app header .user').textContent()).toContain('admin');
  });

  it('shows matching events in the table', async () => {
    await runSearch(page, MARKER);
    const rows = page.locator('th-results tr.event');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(TEST_EVENTS.length);
    const status = await page.locator('th-search .status .count').textContent();
    expect(status).toBe(`${TEST_EVENTS.length} events`);
    expect(await page.locator('th-search .status .range').textContent()).toBe('Last 24 hours');
    expect(new URL(page.url()).searchParams.get('q')).toBe(MARKER);
    const headers = await page.locator('th-results th').allTextContents();
    expect(headers).toContain('sourcetype');
    const xssRow = rows.filter({ hasText: '<img src=x' });
    expect(await xssRow.count()).toBe(1);
  });

  it('renders event text as text', async () => {
    await page.locator('th-results tr.event', { hasText: '<script>' }).click();
    const raw = page.locator('th-event-detail pre.raw');
    await raw.waitFor();
    const rawText = await raw.textContent();
    expect(rawText).toContain('<img src=x onerror=');
    expect(rawText).toContain('<script>window.__xss=1</script>');
    expect(await page.locator('th-results img, th-event-detail img').count()).toBe(0);
    expect(await page.locator('th-results script, th-event-detail script').count()).toBe(0);
    expect(await page.locator('th-event-detail a, th-results a').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    await page.screenshot({ path: SCREENSHOT_PATH });
  });

  it('shows direction controls as tokens', async () => {
    await page.locator('th-event-detail button.close').click();
    const row = page.locator('th-results tr.event', { hasText: 'gnp.exe' });
    const message = row.locator('td.message');
    expect(await message.textContent()).toContain(`${MARKER} RTL U+202Egnp.exe`);
    expect(await message.getAttribute('title')).toContain(`${MARKER} RTL [U+202E]gnp.exe`);
    const isolation = await message
      .locator('bdi')
      .evaluate((element) => getComputedStyle(element).unicodeBidi);
    expect(isolation).toBe('isolate');
    const token = message.locator('.bidi-control').first();
    expect(await token.textContent()).toBe('U+202E');
    expect(await token.getAttribute('title')).toContain('RIGHT-TO-LEFT OVERRIDE');
    // On screen the token is between `RTL ` and `gnp.exe`, so nothing was reversed.
    const order = await token.evaluate((element) => {
      const textBox = (needle: string) => {
        const walker = document.createTreeWalker(element.parentNode as Node, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          const at = node.textContent?.indexOf(needle) ?? -1;
          if (at === -1) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + needle.length);
          return range.getBoundingClientRect();
        }
        throw new Error(`no text node contains ${needle}`);
      };
      const box = element.getBoundingClientRect();
      return {
        before: textBox('RTL').right,
        tokenLeft: box.left,
        tokenRight: box.right,
        after: textBox('gnp.exe').left,
      };
    });
    expect(order.before).toBeLessThanOrEqual(order.tokenLeft + 1);
    expect(order.tokenRight).toBeLessThanOrEqual(order.after + 1);

    await row.click();
    const raw = page.locator('th-event-detail pre.raw');
    await raw.waitFor();
    expect(await raw.textContent()).toContain('RTL U+202Egnp.exe');
    expect(await raw.locator('bdi .bidi-control').allTextContents()).toEqual(['U+202E', 'U+2067']);
    const values = await page
      .locator('th-event-detail table.fields button.value')
      .allTextContents();
    expect(values).toContain(`${MARKER} RTL U+202Egnp.exe`);
    expect(values).toContain('carolU+2067');
    const detail = (await page.locator('th-event-detail').evaluate((element) => {
      return element.shadowRoot?.textContent ?? '';
    })) as string;
    expect(detail).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    const rows = await page.locator('th-results').evaluate((element) => {
      return element.shadowRoot?.textContent ?? '';
    });
    expect(rows).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/);
    await page.locator('th-event-detail button.close').click();
    await page.locator('th-results tr.event', { hasText: '<script>' }).click();
    await page.locator('th-event-detail pre.raw', { hasText: '<script>' }).waitFor();
  });

  it('lists the HEC indexed fields as text', async () => {
    const metadata = page.locator('th-event-detail table.metadata');
    const paths = await metadata.locator('td.path').allTextContents();
    expect(paths).toEqual(
      expect.arrayContaining(['fields.env', 'fields.tags[0]', 'fields.tags[1]']),
    );
    const env = metadata.locator('tr', { hasText: 'fields.env' }).locator('button.value');
    expect(await env.textContent()).toBe('<b>prod</b>');
    expect(await page.locator('th-event-detail b').count()).toBe(0);
  });

  it('copies the raw text', async () => {
    await page.locator('th-event-detail button.copy').click();
    await page.locator('th-event-detail .copy-status', { hasText: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await page.locator('th-event-detail pre.raw').textContent());
    expect(copied).toContain('<script>window.__xss=1</script>');
  });

  it('lists OCSF fields as dotted paths', async () => {
    const paths = await page.locator('th-event-detail table.fields td.path').allTextContents();
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.some((path) => path.includes('.') || /^[a-z_]+$/.test(path))).toBe(true);
    const values = await page
      .locator('th-event-detail table.fields button.value')
      .allTextContents();
    expect(values.some((value) => value.includes('<img src=x'))).toBe(true);
  });

  it('adds a clicked value to the query', async () => {
    await page
      .locator('th-event-detail table.metadata tr', { hasText: 'sourcetype' })
      .locator('button.value')
      .click();
    expect(await queryBox(page).inputValue()).toBe(`${MARKER} sourcetype:"_json"`);
    await queryBox(page).press('Enter');
    await page.locator('th-search .status .count', { hasText: 'events' }).waitFor();
    await expect
      .poll(() => page.locator('th-results tr.event').count(), { timeout: 10_000 })
      .toBe(TEST_EVENTS.length);
  });

  it('closes the detail panel with Escape', async () => {
    // The search just run may still replace the rows, which drops a click on the old ones, so
    // the row is clicked until the panel shows.
    await expect
      .poll(
        async () => {
          await page.locator('th-results tr.event').first().click();
          return page.locator('th-event-detail pre.raw').isVisible();
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await page.keyboard.press('Escape');
    await page.locator('th-event-detail').waitFor({ state: 'detached' });
  });

  it('restores the search from the URL', async () => {
    await page.reload();
    await page.locator('th-results tr.event').first().waitFor();
    expect(await queryBox(page).inputValue()).toBe(`${MARKER} sourcetype:"_json"`);
    expect(await page.locator('th-results tr.event').count()).toBe(TEST_EVENTS.length);
  });

  it('adds filters for a Zeek event', async () => {
    const search = 'sourcetype:"zeek:conn:json" earliest=0';
    await runSearch(page, search);
    const row = page.locator('th-results tr.event', { hasText: 'tcp SF' });
    await expect
      .poll(
        async () => {
          await row.first().click();
          return page.locator('th-event-detail pre.raw', { hasText: 'NTLM_AUTH' }).isVisible();
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    const fields = page.locator('th-event-detail table.fields');
    const fieldValue = (path: string) =>
      fields
        .locator('tr')
        .filter({ has: page.locator('td.path', { hasText: new RegExp(`^${path}$`) }) })
        .locator('.value');
    // Zeek's key `id.orig_h_name.src` has dots, which no query field name can contain.
    const dotted = fieldValue('unmapped\\.id\\.orig_h_name\\.src');
    expect(await dotted.evaluate((element) => element.tagName)).toBe('SPAN');
    expect(await dotted.getAttribute('title')).toContain('Not available as a filter');

    const box = queryBox(page);
    const observable = fieldValue('observables\\[0\\]\\.value');
    expect(await observable.getAttribute('title')).toBe(
      'Add observables{}.value:"10.4.30.5" to the query',
    );
    await observable.click();
    await fieldValue('severity').click();
    await fieldValue('unmapped\\.history').click();
    const expected = [
      search,
      'observables{}.value:"10.4.30.5"',
      '.severity:"Informational"',
      'unmapped.history:"ShADadfF"',
    ].join(' ');
    expect(await box.inputValue()).toBe(expected);
    await box.press('Enter');
    await expect
      .poll(() => new URL(page.url()).searchParams.get('q'), { timeout: 10_000 })
      .toBe(expected);
    await expect
      .poll(() => page.locator('th-search .status .count').textContent(), { timeout: 10_000 })
      .toBe('1 event');
    expect(await page.locator('th-search .query-error').count()).toBe(0);
  });

  it('shows an aggregate table', async () => {
    await runSearch(page, `${MARKER} | stats count by sourcetype`);
    const table = page.locator('th-results table.aggregate');
    await table.waitFor();
    const headers = await table.locator('th').allTextContents();
    expect(headers).toContain('sourcetype');
    expect(headers.length).toBe(2);
    const cells = await table.locator('tbody td').allTextContents();
    expect(cells).toContain('_json');
    expect(cells).toContain(String(TEST_EVENTS.length));
  });

  it('loads events past 10,000', async () => {
    await runSearch(page, PAGE_MARKER);
    const status = page.locator('th-search .status');
    await expect
      .poll(() => status.locator('.count').textContent(), { timeout: 30_000 })
      .toBe('10,250 events');
    expect(await status.locator('.shown').textContent()).toBe('showing 100 of 10,250');
    const footer = page.locator('th-search .more');
    expect(await footer.locator('.shown').textContent()).toBe('Showing 100 of 10,250 events');
    const button = footer.locator('button.load-more');
    const rows = page.locator('th-results tr.event');
    for (let loaded = 100; loaded < PAGE_EVENTS; ) {
      const next = Math.min(loaded + 1000, PAGE_EVENTS);
      expect(await button.textContent()).toBe(
        `Load ${(next - loaded).toLocaleString('en-US')} more`,
      );
      await button.click();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(next);
      loaded = next;
    }
    await footer.waitFor({ state: 'detached' });
    expect(await status.locator('.shown').count()).toBe(0);
    const messages = await page.locator('th-results td.message').allTextContents();
    const numbers = messages.map((message) => Number(/event (\d+)/.exec(message)?.[1]));
    expect(new Set(numbers).size).toBe(PAGE_EVENTS);
    expect(Math.min(...numbers)).toBe(0);
    expect(Math.max(...numbers)).toBe(PAGE_EVENTS - 1);
  }, 180_000);

  it('loads aggregate rows up to the maximum', async () => {
    await runSearch(page, `${PAGE_MARKER} | stats count by unmapped.n`);
    const rows = page.locator('th-results table.aggregate tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(100);
    const status = page.locator('th-search .status');
    expect(await status.locator('.count').textContent()).toBe('10,250 results');
    const footer = page.locator('th-search .more');
    const button = footer.locator('button.load-more');
    expect(await button.textContent()).toBe('Load 900 more');
    await button.click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1000);
    expect(await button.textContent()).toBe('Load 9,000 more');
    await button.click();
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(10_000);
    expect(await button.count()).toBe(0);
    expect(await footer.locator('.shown').textContent()).toBe('Showing 10,000 of 10,250 results');
    expect(await footer.locator('.limit-note').textContent()).toBe(
      'A search returns at most 10,000 rows: narrow the query to see the rest.',
    );
    expect(await status.locator('.shown').textContent()).toBe('showing 10,000 of 10,250');
    await footer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/telhawk-ui-more.png' });
  }, 120_000);

  it('names the time range the query sets', async () => {
    await runSearch(page, `${MARKER} earliest=0`);
    const range = page.locator('th-search .status .range');
    await expect
      .poll(() => range.textContent(), { timeout: 10_000 })
      .toBe('All time (set in the query)');
    expect(await page.locator('th-search .status .count').textContent()).toBe(
      `${TEST_EVENTS.length} events`,
    );
  });

  it('marks a syntax error position', async () => {
    const query = `${MARKER} | stats count by`;
    await runSearch(page, query);
    const error = page.locator('th-search .query-error');
    await error.waitFor();
    const position = await error.locator('.muted').textContent();
    const match = /Line (\d+), column (\d+)/.exec(position ?? '');
    expect(match).not.toBeNull();
    const column = Number(match?.[2]);
    const marker = (await error.locator('.caret').textContent()) ?? '';
    expect(marker.trim().startsWith('^')).toBe(true);
    expect(marker.indexOf('^')).toBe(column - 1);
    expect(await error.locator('pre.position').textContent()).toContain(query);
    await page.screenshot({ path: '/tmp/telhawk-ui-error.png' });
  });

  it('suggests fields with their OCSF classes', async () => {
    const box = queryBox(page);
    await box.fill('');
    await box.pressSequentially('dns_q');
    const list = page.locator('th-search ul[role="listbox"]');
    await list.waitFor();
    const option = list.locator('li[role="option"]', { hasText: 'dns_query' });
    expect(await option.locator('.label').textContent()).toBe('dns_query');
    expect(await option.locator('.classes').textContent()).toBe('in DNS Activity');
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBeNull();
    expect(await list.locator('li[aria-selected="true"]').count()).toBe(0);
    await box.press('ArrowDown');
    const firstId = await list.locator('li[role="option"]').first().getAttribute('id');
    expect(await box.getAttribute('aria-activedescendant')).toBe(firstId);
    await box.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await box.inputValue()).toBe('dns_q');
  });

  it('accepts a suggestion with the keyboard', async () => {
    const box = queryBox(page);
    await box.fill('');
    await box.pressSequentially(`${MARKER} | st`);
    const options = page.locator('th-search ul[role="listbox"] li[role="option"]');
    await options.first().waitFor();
    const labels = await options.locator('.label').allTextContents();
    expect(labels.length).toBeGreaterThan(1);
    expect(labels.every((label) => label.startsWith('st'))).toBe(true);
    await box.press('ArrowDown');
    await box.press('ArrowDown');
    const second = options.nth(1);
    expect(await second.getAttribute('aria-selected')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBe(await second.getAttribute('id'));
    await box.press('Enter');
    await options.first().waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe(`${MARKER} | ${labels[1]}`);
    expect(await page.locator('th-search .query-error').count()).toBe(0);
  });

  for (const word of ['http', 'user']) {
    it(`runs the search on Enter after ${word}`, async () => {
      const box = queryBox(page);
      await box.fill('');
      await box.pressSequentially(`${MARKER} ${word}`);
      const options = page.locator('th-search ul[role="listbox"] li[role="option"]');
      await options.first().waitFor();
      expect((await options.locator('.label').allTextContents()).length).toBeGreaterThan(0);
      await box.press('Enter');
      await options.first().waitFor({ state: 'detached' });
      expect(await box.inputValue()).toBe(`${MARKER} ${word}`);
      await expect
        .poll(() => new URL(page.url()).searchParams.get('q'), { timeout: 10_000 })
        .toBe(`${MARKER} ${word}`);
    });
  }

  it('completes an OCSF path', async () => {
    const box = queryBox(page);
    await box.fill('');
    await box.pressSequentially('actor.us');
    const options = page.locator('th-search ul[role="listbox"] li[role="option"]');
    await options.first().waitFor();
    expect(await options.locator('.label').allTextContents()).toEqual(['actor.user.']);
    await box.press('Tab');
    await expect.poll(() => box.inputValue()).toBe('actor.user.');
    const name = options.filter({
      has: page.locator('.label', { hasText: /^actor\.user\.name$/ }),
    });
    await name.waitFor();
    expect(await name.locator('.classes').textContent()).toContain('+');
    expect(await name.getAttribute('title')).toContain('Authentication');
    await page.screenshot({ path: '/tmp/telhawk-ui-assist.png' });
    await name.click();
    await options.first().waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('actor.user.name');
    expect(await box.evaluate((element: HTMLTextAreaElement) => element.selectionStart)).toBe(15);
  });

  it('opens suggestions with Ctrl+Space', async () => {
    const box = queryBox(page);
    await box.fill(`${MARKER} `);
    await box.press('End');
    await box.press('Control+Space');
    const keywords = page.locator('th-search ul[role="listbox"] li .label');
    await keywords.first().waitFor();
    expect(await keywords.allTextContents()).toEqual(expect.arrayContaining(['AND', 'OR', '|']));
    await box.press('Escape');
    await keywords.first().waitFor({ state: 'detached' });
  });

  it('shows a field error inline until edited', async () => {
    await runSearch(page, `${MARKER} usr:alice`);
    const error = page.locator('th-search .query-error');
    await error.waitFor();
    expect(await error.locator('.message').textContent()).toBe(
      "Unknown field 'usr'; did you mean 'user'?",
    );
    expect(await error.locator('.muted').textContent()).toBe(`Line 1, column ${MARKER.length + 2}`);
    const marker = (await error.locator('.caret').textContent()) ?? '';
    expect(marker.indexOf('^')).toBe(MARKER.length + 1);
    expect(marker.trimStart().startsWith('^~~')).toBe(true);
    const box = queryBox(page);
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await box.getAttribute('aria-describedby')).toBe('query-error');
    await box.press('End');
    await box.press('Backspace');
    await error.waitFor({ state: 'detached' });
    expect(await box.getAttribute('aria-invalid')).toBe('false');
  });

  it('keeps recent queries', async () => {
    const options = await page.locator('th-search select.history option').allTextContents();
    expect(options).toContain(`${MARKER} | stats count by`);
    expect(options).toContain(MARKER);
  });

  it('logs out', async () => {
    await page.locator('th-app header button.logout').click();
    await page.locator('th-login input[name="username"]').waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
