import { css, html, LitElement } from 'lit';
import {
  ApiError,
  type ApiErrorBody,
  buildQueryRequest,
  type QueryResult,
  runQuery,
} from './api.js';
import { isEventResult } from './columns.js';
import { loadHistory, rememberQuery } from './history.js';
import { addFieldFilter, caretLine } from './query-text.js';
import { sharedStyles } from './styles.js';
import type { AddFilterDetail } from './th-event-detail.js';
import type { RangeChangeDetail } from './th-time-range.js';
import { describeTimeRange, type TimeRange } from './time-range.js';
import { readSearchState, type SearchState, writeSearchState } from './url-state.js';
import './th-event-detail.js';
import './th-results.js';
import './th-time-range.js';

/** Query sent when the box is empty: every event in the time range. */
const MATCH_ALL = '*';

/** A failed search: the error and the query text it refers to, for the caret. */
interface SearchFailure {
  body: ApiErrorBody;
  query: string;
}

/**
 * Search page: query box, time range, result table and event detail panel. The query and time
 * range live in the URL query string, so that reloading or sharing the URL repeats the search.
 */
export class ThSearch extends LitElement {
  static override properties = {
    query: { state: true },
    range: { state: true },
    rangeValid: { state: true },
    result: { state: true },
    resultRange: { state: true },
    failure: { state: true },
    loading: { state: true },
    history: { state: true },
    selectedId: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        position: relative;
      }
      .bar {
        display: flex;
        gap: 6px;
        align-items: flex-start;
        padding: 8px 12px;
        background: var(--th-panel);
        border-bottom: 1px solid var(--th-border);
        flex: none;
      }
      textarea {
        flex: 1;
        min-width: 200px;
        min-height: 30px;
        max-height: 200px;
        resize: vertical;
        font-family: var(--th-mono);
        font-size: 12px;
        line-height: 18px;
      }
      button.search {
        height: 30px;
      }
      select.history {
        height: 30px;
        width: 110px;
      }
      .query-error {
        margin: 8px 12px 0;
        flex: none;
      }
      .query-error pre {
        margin: 6px 0;
        font-family: var(--th-mono);
        font-size: 12px;
        color: var(--th-text);
        white-space: pre;
        overflow-x: auto;
      }
      .caret {
        color: var(--th-error);
        font-weight: 700;
      }
      .status {
        display: flex;
        gap: 12px;
        padding: 6px 12px;
        color: var(--th-muted);
        flex: none;
      }
      .status .count {
        color: var(--th-text);
        font-weight: 600;
      }
      .main {
        display: flex;
        flex: 1;
        min-height: 0;
      }
      th-results {
        flex: 1;
        min-width: 0;
        border-top: 1px solid var(--th-border);
      }
      th-event-detail {
        width: min(640px, 48vw);
        flex: none;
      }
      .hint {
        padding: 24px 12px;
        color: var(--th-muted);
        line-height: 1.6;
      }
      code {
        font-family: var(--th-mono);
        background: var(--th-panel-2);
        padding: 1px 4px;
        border-radius: 3px;
      }
    `,
  ];

  declare query: string;
  declare range: TimeRange;
  declare rangeValid: boolean;
  declare result: QueryResult | undefined;
  declare resultRange: TimeRange | undefined;
  declare failure: SearchFailure | undefined;
  declare loading: boolean;
  declare history: string[];
  declare selectedId: string | undefined;
  private abort: AbortController | undefined;

  constructor() {
    super();
    const state = readSearchState(window.location.search);
    this.query = state.query;
    this.range = state.range;
    this.rangeValid = true;
    this.result = undefined;
    this.resultRange = undefined;
    this.failure = undefined;
    this.loading = false;
    this.history = loadHistory(window.localStorage);
    this.selectedId = undefined;
  }

  private readonly onPopState = (): void => {
    const state = readSearchState(window.location.search);
    this.query = state.query;
    this.range = state.range;
    this.selectedId = undefined;
    if (new URLSearchParams(window.location.search).has('q')) void this.search(false);
  };

  private readonly onWindowKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.selectedId !== undefined) this.selectedId = undefined;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('popstate', this.onPopState);
    window.addEventListener('keydown', this.onWindowKey);
    if (new URLSearchParams(window.location.search).has('q')) void this.search(false);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('popstate', this.onPopState);
    window.removeEventListener('keydown', this.onWindowKey);
    this.abort?.abort();
    super.disconnectedCallback();
  }

  /** Runs the current query. `pushUrl` adds a browser history entry when the state changed. */
  async search(pushUrl = true): Promise<void> {
    if (!this.rangeValid) return;
    const query = this.query;
    const range = this.range;
    const state: SearchState = { query, range };
    const search = writeSearchState(state);
    if (pushUrl && search !== window.location.search) {
      window.history.pushState(null, '', search);
    } else if (search !== window.location.search) {
      window.history.replaceState(null, '', search);
    }
    this.history = rememberQuery(window.localStorage, query);

    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.loading = true;
    this.failure = undefined;
    const text = query.trim() === '' ? MATCH_ALL : query;
    try {
      const result = await runQuery(buildQueryRequest(text, range), abort.signal);
      if (abort.signal.aborted) return;
      this.result = result;
      this.resultRange = range;
      this.selectedId = undefined;
    } catch (error) {
      if (abort.signal.aborted) return;
      const body: ApiErrorBody =
        error instanceof ApiError
          ? error.body
          : { code: 'network', message: `Search failed: ${String(error)}` };
      this.failure = { body, query: text };
      this.result = undefined;
      this.selectedId = undefined;
    } finally {
      if (this.abort === abort) this.loading = false;
    }
  }

  private onQueryKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.search();
    }
  }

  private onRangeChange(event: CustomEvent<RangeChangeDetail>): void {
    const range = event.detail.range;
    this.rangeValid = range !== undefined;
    if (range) this.range = range;
  }

  private onHistoryPick(event: Event): void {
    const select = event.target as HTMLSelectElement;
    const picked = select.value;
    select.value = '';
    if (picked === '') return;
    this.query = picked;
    void this.search();
  }

  private onAddFilter(event: CustomEvent<AddFilterDetail>): void {
    this.query = addFieldFilter(this.query, event.detail.path, event.detail.value);
    const box = this.renderRoot.querySelector('textarea');
    box?.focus();
  }

  private renderFailure(failure: SearchFailure) {
    const { body, query } = failure;
    const positioned = typeof body.line === 'number' && typeof body.column === 'number';
    let position: unknown = '';
    if (positioned) {
      const line = body.line as number;
      const column = body.column as number;
      const { text, marker } = caretLine(query, { line, column, length: body.length ?? 1 });
      position = html`<pre class="position">${text}
<span class="caret">${marker}</span></pre>
        <div class="muted">Line ${line}, column ${column}</div>`;
    }
    // The parser's message often lists the expected tokens, so show them only when it does not.
    const expectedItems = body.expected ?? [];
    const listed = expectedItems.length > 0 && body.message.includes(expectedItems[0] ?? '');
    const expected = listed ? '' : expectedItems.slice(0, 8).join(', ');
    return html`<div class="error query-error" role="alert">
      <div class="message">${body.message}</div>
      ${position}
      ${body.suggestion ? html`<div class="suggestion">Did you mean: ${body.suggestion}</div>` : ''}
      ${expected && !body.suggestion ? html`<div class="expected">Expected: ${expected}</div>` : ''}
    </div>`;
  }

  private renderStatus() {
    const result = this.result;
    if (!result) return '';
    const events = isEventResult(result.rows);
    const noun = events ? 'events' : 'results';
    const truncated = result.total > result.rows.length;
    const range = this.resultRange ? describeTimeRange(this.resultRange) : '';
    return html`<div class="status">
      <span class="count">${result.total.toLocaleString('en-US')} ${noun}</span>
      <span>(${result.elapsed_ms} ms)</span>
      ${truncated ? html`<span>showing the first ${result.rows.length}</span>` : ''}
      <span>${range}</span>
      ${this.loading ? html`<span>Searching…</span>` : ''}
    </div>`;
  }

  private renderHint() {
    return html`<div class="hint">
      Type a query and press Enter (Shift+Enter for a new line). Examples:
      <code>user:alice</code>, <code>src_ip:10.0.0.0/8 severity_id>=4</code>,
      <code>sourcetype:_json | stats count by class_name</code>.
    </div>`;
  }

  override render() {
    return html`
      <div class="bar">
        <textarea
          aria-label="Query"
          placeholder="Search, e.g. user:alice | stats count by src_ip"
          spellcheck="false"
          rows=${Math.min(this.query.split('\n').length, 8)}
          .value=${this.query}
          @input=${(event: Event) => {
            this.query = (event.target as HTMLTextAreaElement).value;
          }}
          @keydown=${this.onQueryKey}
        ></textarea>
        <select class="history" aria-label="Recent queries" @change=${this.onHistoryPick}>
          <option value="">History</option>
          ${this.history.map((item) => html`<option .value=${item}>${item}</option>`)}
        </select>
        <th-time-range .range=${this.range} @range-change=${this.onRangeChange}></th-time-range>
        <button
          class="primary search"
          ?disabled=${!this.rangeValid}
          @click=${() => this.search()}
        >
          ${this.loading ? 'Searching…' : 'Search'}
        </button>
      </div>
      ${this.failure ? this.renderFailure(this.failure) : ''}
      ${this.renderStatus()}
      ${!this.result && !this.failure && !this.loading ? this.renderHint() : ''}
      <div class="main">
        ${
          this.result
            ? html`<th-results
              .rows=${this.result.rows}
              .columns=${this.result.columns}
              .selectedId=${this.selectedId}
              @open-event=${(event: CustomEvent<string>) => {
                this.selectedId = event.detail;
              }}
            ></th-results>`
            : ''
        }
        ${
          this.selectedId !== undefined
            ? html`<th-event-detail
              .eventId=${this.selectedId}
              @close=${() => {
                this.selectedId = undefined;
              }}
              @add-filter=${this.onAddFilter}
            ></th-event-detail>`
            : ''
        }
      </div>
    `;
  }
}

customElements.define('th-search', ThSearch);

declare global {
  interface HTMLElementTagNameMap {
    'th-search': ThSearch;
  }
}
