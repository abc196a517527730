import { css } from 'lit';

/** Styles shared by the components: controls, buttons, the error box and bidi control tokens. */
export const sharedStyles = css`
  :host {
    font-family: var(--th-font);
    font-size: 13px;
    color: var(--th-text);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: var(--th-text);
    background: var(--th-panel-2);
    border: 1px solid var(--th-border);
    border-radius: 4px;
  }
  input,
  select,
  textarea {
    padding: 5px 8px;
  }
  input:focus,
  select:focus,
  textarea:focus,
  button:focus-visible {
    outline: 2px solid var(--th-accent);
    outline-offset: -1px;
  }
  button {
    padding: 5px 12px;
    cursor: pointer;
  }
  button:hover {
    border-color: var(--th-accent);
  }
  button.primary {
    background: var(--th-accent);
    border-color: var(--th-accent);
    color: var(--th-accent-text);
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  button.link {
    background: none;
    border: none;
    padding: 2px 4px;
    color: var(--th-muted);
  }
  button.link:hover {
    color: var(--th-text);
  }
  .mono {
    font-family: var(--th-mono);
    font-size: 12px;
  }
  .muted {
    color: var(--th-muted);
  }
  bdi .bidi-control {
    font-family: var(--th-mono);
    font-size: 10px;
    padding: 0 2px;
    margin: 0 1px;
    border: 1px solid var(--th-sev-high);
    border-radius: 2px;
    color: var(--th-sev-high);
  }
  .error {
    color: var(--th-error);
    background: var(--th-error-bg);
    border: 1px solid var(--th-error);
    border-radius: 4px;
    padding: 8px 10px;
  }
`;
