import { css, html, LitElement } from 'lit';
import { ApiError, type EventDetail, fetchEvent } from './api.js';
import { eventText, showBidiControls } from './bidi.js';
import { cellText, formatTime } from './columns.js';
import {
  type EventFields,
  eventFields,
  type FieldRow,
  type FieldSortKey,
  type FlatField,
  formatValue,
  type SortDirection,
  sortFields,
} from './flatten.js';
import { sharedStyles } from './styles.js';

/** Detail of the `add-filter` event: the search term to add, such as `src_ip:"10.0.0.5"`. */
export interface AddFilterDetail {
  filter: string;
}

/**
 * Side panel with one event: its HEC metadata, its OCSF fields flattened to dotted paths (sortable
 * and filterable), and its raw text. Clicking a value sends `add-filter` with a search term that
 * matches it, for fields that the query language can name. The close button and Escape send
 * `close`.
 */
export class ThEventDetail extends LitElement {
  static override properties = {
    eventId: { attribute: false },
    event: { state: true },
    loadError: { state: true },
    sortKey: { state: true },
    sortDirection: { state: true },
    fieldFilter: { state: true },
    copyStatus: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        background: var(--th-panel);
        border-left: 1px solid var(--th-border);
        box-shadow: -8px 0 24px rgb(0 0 0 / 35%);
        min-height: 0;
      }
      .head {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 8px 12px;
        border-bottom: 1px solid var(--th-border);
        flex: none;
      }
      .head h2 {
        margin: 0;
        font-size: 14px;
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .body {
        overflow: auto;
        padding: 8px 12px 16px;
        flex: 1;
      }
      h3 {
        margin: 12px 0 6px;
        font-size: 12px;
        text-transform: uppercase;
        letter-spacing: 0.05em;
        color: var(--th-muted);
        display: flex;
        align-items: center;
        gap: 8px;
      }
      h3 .grow {
        flex: 1;
      }
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th {
        text-align: left;
        padding: 3px 6px;
        color: var(--th-muted);
        border-bottom: 1px solid var(--th-border);
        font-weight: 600;
      }
      th button {
        padding: 0;
        color: inherit;
        font-weight: 600;
      }
      td {
        padding: 2px 6px;
        border-bottom: 1px solid var(--th-border);
        font-family: var(--th-mono);
        font-size: 12px;
        vertical-align: top;
        word-break: break-all;
      }
      td.path {
        color: var(--th-muted);
        width: 40%;
      }
      td button.value {
        all: unset;
        cursor: pointer;
        white-space: pre-wrap;
        word-break: break-all;
      }
      td span.value {
        white-space: pre-wrap;
        word-break: break-all;
      }
      td button.value:hover,
      td button.value:focus-visible {
        color: var(--th-accent);
        text-decoration: underline;
      }
      input.filter {
        width: 200px;
        padding: 2px 6px;
        text-transform: none;
        letter-spacing: normal;
      }
      pre.raw {
        margin: 0;
        padding: 8px;
        background: var(--th-bg);
        border: 1px solid var(--th-border);
        border-radius: 4px;
        font-family: var(--th-mono);
        font-size: 12px;
        white-space: pre-wrap;
        word-break: break-all;
        max-height: 25vh;
        overflow: auto;
      }
    `,
  ];

  declare eventId: string | undefined;
  declare event: EventDetail | undefined;
  /** Fields of `event`, listed once when it loads. */
  private fields: EventFields | undefined;
  declare loadError: string;
  declare sortKey: FieldSortKey;
  declare sortDirection: SortDirection;
  declare fieldFilter: string;
  declare copyStatus: string;
  private abort: AbortController | undefined;

  constructor() {
    super();
    this.eventId = undefined;
    this.event = undefined;
    this.fields = undefined;
    this.loadError = '';
    this.sortKey = 'path';
    this.sortDirection = 'asc';
    this.fieldFilter = '';
    this.copyStatus = '';
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('eventId')) void this.load();
  }

  override disconnectedCallback(): void {
    this.abort?.abort();
    super.disconnectedCallback();
  }

  private async load(): Promise<void> {
    this.abort?.abort();
    this.event = undefined;
    this.fields = undefined;
    this.loadError = '';
    this.copyStatus = '';
    const id = this.eventId;
    if (id === undefined) return;
    const abort = new AbortController();
    this.abort = abort;
    try {
      const event = await fetchEvent(id, abort.signal);
      if (abort.signal.aborted) return;
      this.fields = eventFields(event);
      this.event = event;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.loadError =
        error instanceof ApiError ? error.body.message : `Could not load event ${id}: ${error}`;
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }

  private addFilter(filter: string): void {
    const detail: AddFilterDetail = { filter };
    this.dispatchEvent(new CustomEvent('add-filter', { detail, bubbles: true, composed: true }));
  }

  private sortBy(key: FieldSortKey): void {
    if (this.sortKey === key) {
      this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    } else {
      this.sortKey = key;
      this.sortDirection = 'asc';
    }
  }

  private async copyRaw(raw: string): Promise<void> {
    const copied = await copyText(raw);
    this.copyStatus = copied ? 'Copied' : 'Copy failed: select the text and copy it by hand';
  }

  private renderSortHeader(key: FieldSortKey, label: string) {
    let arrow = '';
    let sort = 'none';
    if (this.sortKey === key) {
      const ascending = this.sortDirection === 'asc';
      arrow = ascending ? ' ▲' : ' ▼';
      sort = ascending ? 'ascending' : 'descending';
    }
    return html`<th aria-sort=${sort}>
      <button class="link sort-${key}" @click=${() => this.sortBy(key)}>${label}${arrow}</button>
    </th>`;
  }

  private renderFieldRows(fields: readonly FieldRow[]) {
    return fields.map((field) => {
      const text = eventText(formatValue(field.value));
      const filter = field.filter;
      const value =
        filter === undefined
          ? html`<span class="value" title=${NO_FILTER_TITLE}>${text}</span>`
          : html`<button
              class="value"
              title="Add ${showBidiControls(filter)} to the query"
              @click=${() => this.addFilter(filter)}
            >${text}</button>`;
      return html`<tr>
        <td class="path">${eventText(field.path)}</td>
        <td>${value}${epochNote(field)}</td>
      </tr>`;
    });
  }

  private renderEvent(event: EventDetail, rows: EventFields) {
    const needle = this.fieldFilter.trim().toLowerCase();
    const all = rows.ocsf;
    const matching = needle
      ? all.filter(
          (field) =>
            field.path.toLowerCase().includes(needle) ||
            formatValue(field.value).toLowerCase().includes(needle),
        )
      : all;
    const fields = sortFields(matching, this.sortKey, this.sortDirection);
    const raw = cellText(event.raw);
    return html`
      <h3>Metadata</h3>
      <table class="metadata">
        <tbody>
          <tr>
            <td class="path">id</td>
            <td>${eventText(event.id)}</td>
          </tr>
          ${this.renderFieldRows(rows.metadata)}
        </tbody>
      </table>
      <h3>
        <span class="grow">Raw</span>
        <span class="muted copy-status" role="status">${this.copyStatus}</span>
        <button class="copy" @click=${() => this.copyRaw(raw)}>Copy raw</button>
      </h3>
      <pre class="raw">${eventText(raw)}</pre>
      <h3>
        <span class="grow">OCSF fields (${fields.length} of ${all.length})</span>
        <input
          class="filter"
          type="search"
          placeholder="Filter fields"
          aria-label="Filter fields"
          .value=${this.fieldFilter}
          @input=${(e: Event) => {
            this.fieldFilter = (e.target as HTMLInputElement).value;
          }}
        />
      </h3>
      <table class="fields">
        <thead>
          <tr>
            ${this.renderSortHeader('path', 'field')} ${this.renderSortHeader('value', 'value')}
          </tr>
        </thead>
        <tbody>
          ${this.renderFieldRows(fields)}
        </tbody>
      </table>
    `;
  }

  override render() {
    const event = this.event;
    const title = event
      ? `${formatTime(event.time)}  ${cellText(event['class_name'] ?? event['class_uid'])}`
      : 'Event';
    return html`
      <div class="head">
        <h2 class="mono">${eventText(title)}</h2>
        <button class="close" aria-label="Close event" @click=${this.close}>✕</button>
      </div>
      <div class="body">
        ${this.loadError ? html`<div class="error" role="alert">${this.loadError}</div>` : ''}
        ${event && this.fields ? this.renderEvent(event, this.fields) : ''}
        ${!event && !this.loadError ? html`<div class="muted">Loading…</div>` : ''}
      </div>
    `;
  }
}

/** Returns ` (UTC time)` for an epoch-millisecond `time` or `*_time` field, else nothing. */
function epochNote(field: FlatField) {
  const name =
    field.path
      .replace(/\[\d+\]/g, '')
      .split('.')
      .at(-1) ?? '';
  if (typeof field.value !== 'number' || !(name === 'time' || name.endsWith('_time'))) return '';
  return html`<span class="muted"> (${formatTime(field.value)})</span>`;
}

/** Tooltip of a value that has no search term. */
const NO_FILTER_TITLE =
  'Not available as a filter: the query language cannot name this field or match this value';

/**
 * Copies text to the clipboard. The Clipboard API needs a secure context (HTTPS or localhost), so
 * on a plain-HTTP appliance address this falls back to a selected off-screen textarea and
 * `execCommand('copy')`. Returns whether either way succeeded.
 */
async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission denied: try the fallback.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.left = '-9999px';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

customElements.define('th-event-detail', ThEventDetail);

declare global {
  interface HTMLElementTagNameMap {
    'th-event-detail': ThEventDetail;
  }
}
