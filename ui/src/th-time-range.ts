import { css, html, LitElement } from 'lit';
import { sharedStyles } from './styles.js';
import {
  DEFAULT_TIME_RANGE,
  findPreset,
  normalizeTimeBound,
  TIME_PRESETS,
  type TimeRange,
} from './time-range.js';

/** Detail of the `range-change` event: the new range, or undefined while custom text is invalid. */
export interface RangeChangeDetail {
  range: TimeRange | undefined;
}

const CUSTOM = 'custom';

/**
 * Time range picker: a preset list plus custom earliest and latest fields. Sends `range-change`
 * whenever the choice or a custom bound changes.
 */
export class ThTimeRange extends LitElement {
  static override properties = {
    range: { attribute: false },
    mode: { state: true },
    earliestText: { state: true },
    latestText: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        gap: 6px;
        align-items: flex-start;
      }
      select {
        height: 30px;
      }
      .custom {
        display: flex;
        gap: 4px;
      }
      input {
        width: 150px;
        height: 30px;
        font-family: var(--th-mono);
        font-size: 12px;
      }
      input[aria-invalid='true'] {
        border-color: var(--th-error);
      }
    `,
  ];

  declare range: TimeRange;
  declare mode: string;
  declare earliestText: string;
  declare latestText: string;
  /** The range this picker sent last, so that its echo from the parent keeps the custom mode. */
  private lastEmitted: TimeRange | undefined;

  constructor() {
    super();
    this.range = DEFAULT_TIME_RANGE;
    this.mode = findPreset(DEFAULT_TIME_RANGE)?.id ?? CUSTOM;
    this.earliestText = DEFAULT_TIME_RANGE.earliest;
    this.latestText = DEFAULT_TIME_RANGE.latest;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const echo =
      this.lastEmitted?.earliest === this.range.earliest &&
      this.lastEmitted?.latest === this.range.latest;
    if (changed.has('range') && !echo) {
      this.mode = findPreset(this.range)?.id ?? CUSTOM;
      this.earliestText = this.range.earliest;
      this.latestText = this.range.latest;
    }
  }

  private emit(range: TimeRange | undefined): void {
    this.lastEmitted = range;
    const detail: RangeChangeDetail = { range };
    this.dispatchEvent(new CustomEvent('range-change', { detail, bubbles: true, composed: true }));
  }

  private onPresetChange(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    this.mode = id;
    const preset = TIME_PRESETS.find((item) => item.id === id);
    if (preset) {
      this.earliestText = preset.earliest;
      this.latestText = 'now';
      this.emit({ earliest: preset.earliest, latest: 'now' });
    } else {
      this.emitCustom();
    }
  }

  private onCustomInput(bound: 'earliest' | 'latest', event: Event): void {
    const text = (event.target as HTMLInputElement).value;
    if (bound === 'earliest') this.earliestText = text;
    else this.latestText = text;
    this.emitCustom();
  }

  private emitCustom(): void {
    const earliest = normalizeTimeBound(this.earliestText);
    const latest = normalizeTimeBound(this.latestText);
    this.emit(earliest && latest ? { earliest, latest } : undefined);
  }

  override render() {
    const earliestValid = normalizeTimeBound(this.earliestText) !== undefined;
    const latestValid = normalizeTimeBound(this.latestText) !== undefined;
    const hint = 'Relative (-15m, -2h, -7d), ISO 8601 time, 0 or now';
    return html`
      <select aria-label="Time range" @change=${this.onPresetChange} .value=${this.mode}>
        ${TIME_PRESETS.map(
          (preset) =>
            html`<option value=${preset.id} ?selected=${preset.id === this.mode}>
              ${preset.label}
            </option>`,
        )}
        <option value=${CUSTOM} ?selected=${this.mode === CUSTOM}>Custom…</option>
      </select>
      ${
        this.mode === CUSTOM
          ? html`<div class="custom">
              <input
                name="earliest"
                aria-label="Earliest"
                placeholder="earliest, e.g. -2h"
                title=${hint}
                aria-invalid=${earliestValid ? 'false' : 'true'}
                .value=${this.earliestText}
                @input=${(event: Event) => this.onCustomInput('earliest', event)}
              />
              <input
                name="latest"
                aria-label="Latest"
                placeholder="latest, e.g. now"
                title=${hint}
                aria-invalid=${latestValid ? 'false' : 'true'}
                .value=${this.latestText}
                @input=${(event: Event) => this.onCustomInput('latest', event)}
              />
            </div>`
          : ''
      }
    `;
  }
}

customElements.define('th-time-range', ThTimeRange);

declare global {
  interface HTMLElementTagNameMap {
    'th-time-range': ThTimeRange;
  }
}
