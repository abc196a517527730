import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { type AssistResult, assist } from '../../query-lang/assist.js';
import {
  ApiError,
  type ApiErrorBody,
  buildQueryRequest,
  MAX_QUERY_LIMIT,
  type QueryRequest,
  type QueryResult,
  runQuery,
} from './api.js';
import { eventText, showBidiControls } from './bidi.js';
import { isEventResult } from './columns.js';
import {
  ASSIST_DELAY_MILLIS,
  applySuggestion,
  completionKeyAction,
  describeClasses,
  listClasses,
  opensWhileTyping,
} from './completion.js';
import { loadHistory, rememberQuery } from './history.js';
import { atMaximumLimit, countText, mergePage, nextPage } from './paging.js';
import { addFilter, caretLine } from './query-text.js';
import { sharedStyles } from './styles.js';
import type { AddFilterDetail } from './th-event-detail.js';
import type { RangeChangeDetail } from './th-time-range.js';
import { describeSearchRange, type TimeRange } from './time-range.js';
import { readSearchState, type SearchState, writeSearchState } from './url-state.js';
import './th-event-detail.js';
import './th-results.js';
import './th-time-range.js';

/** Query sent when the box is empty: every event in the time range. */
const MATCH_ALL = '*';

/**
 * Open suggestion list: what assist returned and the index of the highlighted option, undefined
 * until Up or Down moves into the list.
 */
interface Completion {
  result: AssistResult;
  active: number | undefined;
}

/** A failed search: the error and the query text it refers to, for the caret. */
interface SearchFailure {
  body: ApiErrorBody;
  query: string;
}

/**
 * Search page: query box, time range, result table and event detail panel. The query and time
 * range live in the URL query string, so that reloading or sharing the URL repeats the search.
 *
 * The query box offers content assist as a combobox: suggestions open while a word is typed (or
 * with Ctrl+Space), and `completionKeyAction` decides what each key does in the list. Assist runs
 * in the browser, since the query language is bundled and pure, so no keystroke costs a round
 * trip.
 */
export class ThSearch extends LitElement {
  static override properties = {
    query: { state: true },
    range: { state: true },
    rangeValid: { state: true },
    result: { state: true },
    resultRequest: { state: true },
    loadingMore: { state: true },
    moreError: { state: true },
    resultRangeText: { state: true },
    failure: { state: true },
    loading: { state: true },
    history: { state: true },
    selectedId: { state: true },
    completion: { state: true },
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
      .query {
        flex: 1;
        min-width: 200px;
        position: relative;
        display: flex;
      }
      textarea {
        flex: 1;
        min-width: 0;
        min-height: 30px;
        max-height: 200px;
        resize: vertical;
        font-family: var(--th-mono);
        font-size: 12px;
        line-height: 18px;
      }
      textarea[aria-invalid='true'] {
        border-color: var(--th-error);
      }
      .suggestions {
        position: absolute;
        top: calc(100% + 2px);
        left: 0;
        z-index: 10;
        width: min(720px, 100%);
        max-height: 280px;
        overflow-y: auto;
        margin: 0;
        padding: 2px 0;
        list-style: none;
        display: grid;
        grid-template-columns: max-content max-content minmax(0, 1fr);
        background: var(--th-panel-2);
        border: 1px solid var(--th-border);
        border-radius: 4px;
        box-shadow: 0 4px 14px rgb(0 0 0 / 35%);
      }
      .suggestions li {
        display: grid;
        grid-column: 1 / -1;
        grid-template-columns: subgrid;
        column-gap: 10px;
        padding: 3px 8px;
        cursor: pointer;
      }
      .suggestions li.active {
        background: var(--th-selected);
      }
      .suggestions .label {
        font-family: var(--th-mono);
        font-size: 12px;
        white-space: nowrap;
      }
      .suggestions .kind,
      .suggestions .classes {
        color: var(--th-muted);
      }
      .suggestions .detail {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .suggestions .classes {
        grid-column: 3;
        font-size: 12px;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
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
      .more {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 12px;
        padding: 10px 8px 16px;
        color: var(--th-muted);
      }
      .more .error {
        padding: 4px 8px;
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
  /** Request of the last page of `result`, from which "Load more" continues. */
  declare resultRequest: QueryRequest | undefined;
  declare loadingMore: boolean;
  /** Message of a failed "Load more", shown under the table with the rows kept. */
  declare moreError: string;
  /**
   * Text for the time range of the shown result. The query's own `earliest=` and `latest=` win
   * over the picker.
   */
  declare resultRangeText: string;
  declare failure: SearchFailure | undefined;
  declare loading: boolean;
  declare history: string[];
  declare selectedId: string | undefined;
  declare completion: Completion | undefined;
  private abort: AbortController | undefined;
  private assistTimer: number | undefined;

  constructor() {
    super();
    const state = readSearchState(window.location.search);
    this.query = state.query;
    this.range = state.range;
    this.rangeValid = true;
    this.result = undefined;
    this.resultRequest = undefined;
    this.loadingMore = false;
    this.moreError = '';
    this.resultRangeText = '';
    this.failure = undefined;
    this.loading = false;
    this.history = loadHistory(window.localStorage);
    this.selectedId = undefined;
    this.completion = undefined;
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
    window.clearTimeout(this.assistTimer);
    super.disconnectedCallback();
  }

  /** Runs the current query. `pushUrl` adds a browser history entry when the state changed. */
  async search(pushUrl = true): Promise<void> {
    if (!this.rangeValid) return;
    this.closeCompletion();
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
    this.loadingMore = false;
    this.moreError = '';
    this.failure = undefined;
    const text = query.trim() === '' ? MATCH_ALL : query;
    const request = buildQueryRequest(text, range);
    try {
      const result = await runQuery(request, abort.signal);
      if (abort.signal.aborted) return;
      this.result = result;
      this.resultRequest = request;
      this.resultRangeText = describeSearchRange(text, range);
      this.selectedId = undefined;
    } catch (error) {
      if (abort.signal.aborted) return;
      const body: ApiErrorBody =
        error instanceof ApiError
          ? error.body
          : { code: 'network', message: `Search failed: ${String(error)}` };
      this.failure = { body, query: text };
      this.result = undefined;
      this.resultRequest = undefined;
      this.selectedId = undefined;
    } finally {
      if (this.abort === abort) this.loading = false;
    }
  }

  /**
   * Fetches more rows of the shown result (`nextPage`) and adds them to the table. A new search
   * cancels it. A failure keeps the rows shown and reports the error under the table.
   * NOTE: each page resolves a relative range such as `-24h` again, so events that leave the
   * range between pages are not loaded, and the count is that of the latest page.
   */
  private async loadMore(): Promise<void> {
    const current = this.result;
    const request = this.resultRequest;
    if (current === undefined || request === undefined || this.loadingMore || this.loading) return;
    const next = nextPage(request, current);
    if (next === undefined) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loadingMore = true;
    this.moreError = '';
    try {
      const page = await runQuery(next.request, abort.signal);
      if (abort.signal.aborted) return;
      this.result = mergePage(current, page, next.append);
      this.resultRequest = next.request;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.moreError =
        error instanceof ApiError
          ? `Loading more failed: ${error.body.message}`
          : `Loading more failed: ${String(error)}`;
    } finally {
      if (this.abort === abort) this.loadingMore = false;
    }
  }

  private queryBox(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector('textarea');
  }

  private onQueryInput(event: Event): void {
    const box = event.target as HTMLTextAreaElement;
    this.query = box.value;
    // The error's position refers to the text as it was searched, which this edit changed.
    this.failure = undefined;
    window.clearTimeout(this.assistTimer);
    if (this.completion !== undefined) {
      this.updateCompletion(box, false);
    } else {
      this.assistTimer = window.setTimeout(() => {
        if (this.shadowRoot?.activeElement === box) this.updateCompletion(box, false);
      }, ASSIST_DELAY_MILLIS);
    }
  }

  /** Runs assist at the cursor and opens, refreshes or closes the suggestion list. */
  private updateCompletion(box: HTMLTextAreaElement, explicit: boolean): void {
    // A pending run from typing would otherwise replace what this run shows.
    window.clearTimeout(this.assistTimer);
    const cursor = box.selectionStart;
    if (box.selectionEnd !== cursor) {
      this.completion = undefined;
      return;
    }
    const result = assist(box.value, cursor);
    const open = explicit
      ? result.suggestions.length > 0
      : opensWhileTyping(box.value, cursor, result);
    this.completion = open ? { result, active: undefined } : undefined;
  }

  private closeCompletion(): void {
    window.clearTimeout(this.assistTimer);
    this.completion = undefined;
  }

  /**
   * Puts the chosen suggestion into the query. Returns false when that changes nothing (the word
   * was already complete), so that Enter can run the search instead.
   */
  private async acceptSuggestion(index: number): Promise<boolean> {
    const completion = this.completion;
    const suggestion = completion?.result.suggestions[index];
    const box = this.queryBox();
    this.closeCompletion();
    if (completion === undefined || suggestion === undefined || box === null) return false;
    const next = applySuggestion(this.query, completion.result, suggestion.label);
    if (next.text === this.query) return false;
    this.query = next.text;
    this.failure = undefined;
    await this.updateComplete;
    box.focus();
    box.setSelectionRange(next.cursor, next.cursor);
    // An object path such as `actor.` goes on with the object's attributes.
    if (suggestion.label.endsWith('.')) this.updateCompletion(box, false);
    return true;
  }

  private onQueryKey(event: KeyboardEvent): void {
    const box = event.target as HTMLTextAreaElement;
    if (event.ctrlKey && (event.key === ' ' || event.code === 'Space')) {
      event.preventDefault();
      this.updateCompletion(box, true);
      return;
    }
    if (this.completion !== undefined && !event.isComposing && this.onCompletionKey(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.search();
    }
  }

  /** Handles a key while the suggestions are open, and returns true when it used the key. */
  private onCompletionKey(event: KeyboardEvent): boolean {
    const completion = this.completion;
    if (completion === undefined) return false;
    const count = completion.result.suggestions.length;
    const decision = completionKeyAction(event.key, event.shiftKey, completion.active, count);
    switch (decision.action) {
      case 'move':
        event.preventDefault();
        this.completion = { ...completion, active: decision.active };
        return true;
      case 'accept':
        event.preventDefault();
        void this.acceptSuggestion(decision.index).then((changed) => {
          if (!changed && event.key === 'Enter') void this.search();
        });
        return true;
      case 'search':
        event.preventDefault();
        void this.search();
        return true;
      case 'close':
        // Escape also closes the event detail panel, so keep it from reaching the window.
        event.preventDefault();
        event.stopPropagation();
        this.closeCompletion();
        return true;
      case 'close-and-type':
        this.closeCompletion();
        return false;
      case 'type':
        return false;
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
    this.query = addFilter(this.query, event.detail.filter);
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
    // Field errors already end with "did you mean 'user'?", so the suggestion shows only once.
    const suggestion =
      body.suggestion !== undefined && !body.message.includes(`'${body.suggestion}'`)
        ? body.suggestion
        : undefined;
    return html`<div class="error query-error" id="query-error" role="alert">
      <div class="message">${eventText(body.message)}</div>
      ${position}
      ${suggestion ? html`<div class="suggestion">Did you mean: ${suggestion}</div>` : ''}
      ${expected && !body.suggestion ? html`<div class="expected">Expected: ${expected}</div>` : ''}
    </div>`;
  }

  private renderStatus() {
    const result = this.result;
    if (!result) return '';
    const noun = isEventResult(result.rows) ? 'event' : 'result';
    const loaded = result.rows.length.toLocaleString('en-US');
    const total = result.total.toLocaleString('en-US');
    const truncated = result.total > result.rows.length;
    return html`<div class="status">
      <span class="count">${countText(result.total, noun)}</span>
      <span>(${result.elapsed_ms} ms)</span>
      ${truncated ? html`<span class="shown">showing ${loaded} of ${total}</span>` : ''}
      <span class="range">${this.resultRangeText}</span>
      ${this.loading ? html`<span>Searching…</span>` : ''}
    </div>`;
  }

  /** Renders the line under the table: the "Load more" button, the maximum note or an error. */
  private renderMore(result: QueryResult, request: QueryRequest) {
    const next = nextPage(request, result);
    const capped = atMaximumLimit(request, result);
    if (next === undefined && !capped && this.moreError === '') return '';
    const noun = isEventResult(result.rows) ? 'event' : 'result';
    const shownCount = result.rows.length.toLocaleString('en-US');

    let button: unknown = '';
    if (next !== undefined) {
      const label = this.loadingMore
        ? 'Loading…'
        : `Load ${next.rows.toLocaleString('en-US')} more`;
      button = html`<button
        class="load-more"
        ?disabled=${this.loadingMore || this.loading}
        @click=${() => this.loadMore()}
      >${label}</button>`;
    }

    const maximum = MAX_QUERY_LIMIT.toLocaleString('en-US');
    const note = capped
      ? html`<span class="limit-note"
          >A search returns at most ${maximum} rows: narrow the query to see the rest.</span
        >`
      : '';
    const error =
      this.moreError === ''
        ? ''
        : html`<span class="error" role="alert">${eventText(this.moreError)}</span>`;

    return html`<div class="more" slot="after">
      <span class="shown">Showing ${shownCount} of ${countText(result.total, noun)}</span>
      ${button} ${note} ${error}
    </div>`;
  }

  private renderHint() {
    return html`<div class="hint">
      Type a query and press Enter (Shift+Enter for a new line). Examples:
      <code>user:alice</code>, <code>src_ip:10.0.0.0/8 severity_id>=4</code>,
      <code>sourcetype:_json | stats count by class_name</code>.
    </div>`;
  }

  private renderCompletion(completion: Completion) {
    return html`<ul class="suggestions" id="query-suggestions" role="listbox" aria-label="Suggestions">
      ${completion.result.suggestions.map((suggestion, index) => {
        const classes = describeClasses(suggestion.classes);
        return html`<li
          id="query-suggestion-${index}"
          role="option"
          class=${index === completion.active ? 'active' : nothing}
          aria-selected=${index === completion.active ? 'true' : 'false'}
          title=${listClasses(suggestion.classes) || nothing}
          @mousedown=${(event: MouseEvent) => event.preventDefault()}
          @click=${() => void this.acceptSuggestion(index)}
        >
          <span class="label">${suggestion.label}</span>
          <span class="kind">${suggestion.kind}</span>
          <span class="detail">${suggestion.detail}</span>
          ${classes ? html`<span class="classes">in ${classes}</span>` : ''}
        </li>`;
      })}
    </ul>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('completion') && this.completion !== undefined) {
      this.renderRoot.querySelector('.suggestions li.active')?.scrollIntoView({ block: 'nearest' });
    }
  }

  override render() {
    const completion = this.completion;
    const failed = this.failure !== undefined;
    return html`
      <div class="bar">
        <div class="query">
          <textarea
            aria-label="Query"
            placeholder="Search, e.g. user:alice | stats count by src_ip"
            spellcheck="false"
            role="combobox"
            aria-autocomplete="list"
            aria-haspopup="listbox"
            aria-expanded=${completion ? 'true' : 'false'}
            aria-controls="query-suggestions"
            aria-activedescendant=${
              completion?.active === undefined ? nothing : `query-suggestion-${completion.active}`
            }
            aria-invalid=${failed ? 'true' : 'false'}
            aria-describedby=${failed ? 'query-error' : nothing}
            rows=${Math.min(this.query.split('\n').length, 8)}
            .value=${this.query}
            @input=${this.onQueryInput}
            @keydown=${this.onQueryKey}
            @blur=${() => this.closeCompletion()}
            @click=${() => this.closeCompletion()}
          ></textarea>
          ${completion ? this.renderCompletion(completion) : ''}
        </div>
        <select class="history" aria-label="Recent queries" @change=${this.onHistoryPick}>
          <option value="">History</option>
          ${this.history.map(
            (item) => html`<option .value=${item}>${showBidiControls(item)}</option>`,
          )}
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
            >${this.resultRequest ? this.renderMore(this.result, this.resultRequest) : ''}</th-results>`
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
