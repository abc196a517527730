import { css, html, LitElement } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { ResultRow } from './api.js';
import { eventText, showBidiControls } from './bidi.js';
import { cellText, EVENT_COLUMNS, isEventResult, resultColumns, severityLevel } from './columns.js';
import { sharedStyles } from './styles.js';

/**
 * Result table. Event rows (with an `id` column) show the analyst columns and send `open-event`
 * with the id when clicked; aggregate rows show every column they have. Content of the `after`
 * slot, such as a "Load more" button, scrolls with the table below its last row.
 */
export class ThResults extends LitElement {
  static override properties = {
    rows: { attribute: false },
    columns: { attribute: false },
    selectedId: { attribute: false },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        overflow: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        table-layout: auto;
      }
      th {
        position: sticky;
        top: 0;
        z-index: 1;
        background: var(--th-panel);
        text-align: left;
        font-weight: 600;
        color: var(--th-muted);
        padding: 5px 8px;
        border-bottom: 1px solid var(--th-border);
        white-space: nowrap;
      }
      td {
        padding: 3px 8px;
        border-bottom: 1px solid var(--th-border);
        font-family: var(--th-mono);
        font-size: 12px;
        white-space: nowrap;
        vertical-align: top;
      }
      td.message {
        max-width: 520px;
        overflow: hidden;
        text-overflow: ellipsis;
        width: 100%;
      }
      tr.event {
        cursor: pointer;
      }
      tr.event:hover {
        background: var(--th-row-hover);
      }
      tr.selected,
      tr.selected:hover {
        background: var(--th-selected);
      }
      .sev {
        display: inline-block;
        padding: 0 5px;
        border-radius: 3px;
        border-left: 3px solid var(--th-sev-info);
      }
      .sev-low {
        border-left-color: var(--th-sev-low);
      }
      .sev-medium {
        border-left-color: var(--th-sev-medium);
      }
      .sev-high {
        border-left-color: var(--th-sev-high);
      }
      .sev-critical {
        border-left-color: var(--th-sev-critical);
        color: var(--th-sev-critical);
      }
      table.aggregate {
        width: auto;
        min-width: 50%;
      }
      table.aggregate th,
      table.aggregate td {
        padding-right: 24px;
      }
      th.number,
      td.number {
        text-align: right;
      }
      .empty {
        padding: 24px;
        color: var(--th-muted);
      }
    `,
  ];

  declare rows: ResultRow[];
  /** Column order from the API; when missing, the order of the rows' keys. */
  declare columns: string[] | undefined;
  declare selectedId: string | undefined;

  constructor() {
    super();
    this.rows = [];
    this.columns = undefined;
    this.selectedId = undefined;
  }

  private open(row: ResultRow): void {
    const id = cellText(row['id']);
    this.dispatchEvent(
      new CustomEvent('open-event', { detail: id, bubbles: true, composed: true }),
    );
  }

  private onRowKey(event: KeyboardEvent, row: ResultRow): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.open(row);
    }
  }

  private renderEvents() {
    return html`
      <table class="events">
        <thead>
          <tr>
            ${EVENT_COLUMNS.map((column) => html`<th>${column.label}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.rows.map((row) => {
            const selected = cellText(row['id']) === this.selectedId;
            // "Load more" appends to the same row objects, so only the new rows render cells.
            return html`<tr
              class="event ${selected ? 'selected' : ''}"
              tabindex="0"
              @click=${() => this.open(row)}
              @keydown=${(event: KeyboardEvent) => this.onRowKey(event, row)}
            >
              ${guard([row], () => renderEventCells(row))}
            </tr>`;
          })}
        </tbody>
      </table>
    `;
  }

  private renderAggregate() {
    const columns = this.columns?.length ? this.columns : resultColumns(this.rows);
    const numeric = new Set(columns.filter((column) => isNumericColumn(this.rows, column)));
    const align = (column: string) => (numeric.has(column) ? 'number' : '');
    return html`
      <table class="aggregate">
        <thead>
          <tr>
            ${columns.map((column) => html`<th class=${align(column)}>${eventText(column)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (row) => html`<tr>
              ${columns.map(
                (column) =>
                  html`<td class=${align(column)}>${eventText(cellText(row[column]))}</td>`,
              )}
            </tr>`,
          )}
        </tbody>
      </table>
    `;
  }

  override render() {
    if (this.rows.length === 0) return html`<div class="empty">No results.</div>`;
    const table = isEventResult(this.rows) ? this.renderEvents() : this.renderAggregate();
    return html`${table}<slot name="after"></slot>`;
  }
}

/** Renders the cells of an event row, in the order of `EVENT_COLUMNS`. */
function renderEventCells(row: ResultRow) {
  return EVENT_COLUMNS.map((column) => {
    const text = column.text(row);
    if (column.id === 'severity_id') {
      const level = severityLevel(row['severity_id']);
      return html`<td><span class="sev sev-${level}">${eventText(text)}</span></td>`;
    }
    if (column.id === 'message') {
      const title = showBidiControls(text);
      return html`<td class="message" title=${title}>${eventText(text)}</td>`;
    }
    return html`<td class=${column.id}>${eventText(text)}</td>`;
  });
}

/** Returns whether every value of a column is a number or decimal text, to right-align it. */
function isNumericColumn(rows: readonly ResultRow[], column: string): boolean {
  let seen = false;
  for (const row of rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (
      typeof value !== 'number' &&
      !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
    ) {
      return false;
    }
    seen = true;
  }
  return seen;
}

customElements.define('th-results', ThResults);

declare global {
  interface HTMLElementTagNameMap {
    'th-results': ThResults;
  }
}
