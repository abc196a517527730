import { css, html, LitElement } from 'lit';
import { fetchCurrentUser, logout, UNAUTHORIZED_EVENT, type User } from './api.js';
import { sharedStyles } from './styles.js';
import { applyTheme, loadTheme, type Theme } from './theme.js';
import './th-login.js';
import './th-search.js';

type Phase = 'loading' | 'login' | 'ready' | 'failed';

/** Root of the app: checks the session, then shows the sign-in form or the search page. */
export class ThApp extends LitElement {
  static override properties = {
    phase: { state: true },
    user: { state: true },
    loadError: { state: true },
    theme: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        height: 40px;
        padding: 0 12px;
        background: var(--th-panel);
        border-bottom: 1px solid var(--th-border);
        flex: none;
      }
      .brand {
        font-weight: 700;
        letter-spacing: 0.02em;
      }
      .brand span {
        color: var(--th-accent);
      }
      .spacer {
        flex: 1;
      }
      th-search {
        flex: 1;
        min-height: 0;
      }
      .center {
        margin: 40px auto;
        max-width: 480px;
      }
    `,
  ];

  declare phase: Phase;
  declare user: User | undefined;
  declare loadError: string;
  declare theme: Theme;

  constructor() {
    super();
    this.phase = 'loading';
    this.user = undefined;
    this.loadError = '';
    this.theme = loadTheme();
  }

  private readonly onUnauthorized = (): void => {
    this.user = undefined;
    this.phase = 'login';
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    void this.checkSession();
  }

  override disconnectedCallback(): void {
    window.removeEventListener(UNAUTHORIZED_EVENT, this.onUnauthorized);
    super.disconnectedCallback();
  }

  private async checkSession(): Promise<void> {
    try {
      this.user = await fetchCurrentUser();
      this.phase = this.user ? 'ready' : 'login';
    } catch (error) {
      this.loadError = `Could not reach the TelHawk API: ${String(error)}`;
      this.phase = 'failed';
    }
  }

  private retry(): void {
    this.phase = 'loading';
    void this.checkSession();
  }

  private onSignedIn(event: CustomEvent<User>): void {
    this.user = event.detail;
    this.phase = 'ready';
  }

  private async onLogout(): Promise<void> {
    try {
      await logout();
    } finally {
      this.user = undefined;
      this.phase = 'login';
    }
  }

  private toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    applyTheme(this.theme);
  }

  override render() {
    switch (this.phase) {
      case 'loading':
        return html`<div class="center muted">Loading…</div>`;
      case 'failed':
        return html`<div class="center">
          <div class="error" role="alert">${this.loadError}</div>
          <p><button @click=${this.retry}>Retry</button></p>
        </div>`;
      case 'login':
        return html`<th-login @signed-in=${this.onSignedIn}></th-login>`;
      case 'ready':
        return html`
          <header>
            <div class="brand">Tel<span>Hawk</span></div>
            <div class="muted">Search</div>
            <div class="spacer"></div>
            <button class="link" @click=${this.toggleTheme} title="Switch colour theme">
              ${this.theme === 'dark' ? 'Light theme' : 'Dark theme'}
            </button>
            <span class="user"
              >${this.user?.name} <span class="muted">(${this.user?.role})</span></span
            >
            <button class="logout" @click=${this.onLogout}>Log out</button>
          </header>
          <th-search></th-search>
        `;
    }
  }
}

customElements.define('th-app', ThApp);

declare global {
  interface HTMLElementTagNameMap {
    'th-app': ThApp;
  }
}
