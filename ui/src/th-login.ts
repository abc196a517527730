import { css, html, LitElement } from 'lit';
import { ApiError, login, type User } from './api.js';
import { sharedStyles } from './styles.js';

/** Sign-in form. Sends `signed-in` with the user once the server accepts the credentials. */
export class ThLogin extends LitElement {
  static override properties = {
    busy: { state: true },
    errorMessage: { state: true },
  };

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        height: 100vh;
        align-items: center;
        justify-content: center;
      }
      form {
        width: 320px;
        display: flex;
        flex-direction: column;
        gap: 10px;
        padding: 24px;
        background: var(--th-panel);
        border: 1px solid var(--th-border);
        border-radius: 6px;
      }
      h1 {
        margin: 0 0 6px;
        font-size: 18px;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 4px;
        color: var(--th-muted);
      }
      input {
        height: 32px;
      }
      button {
        height: 32px;
        margin-top: 4px;
      }
    `,
  ];

  declare busy: boolean;
  declare errorMessage: string;

  constructor() {
    super();
    this.busy = false;
    this.errorMessage = '';
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const username = String(form.get('username') ?? '');
    const password = String(form.get('password') ?? '');
    this.busy = true;
    this.errorMessage = '';
    let user: User;
    try {
      user = await login(username, password);
    } catch (error) {
      this.errorMessage =
        error instanceof ApiError ? error.body.message : `Sign-in failed: ${String(error)}`;
      return;
    } finally {
      this.busy = false;
    }
    this.dispatchEvent(
      new CustomEvent('signed-in', { detail: user, bubbles: true, composed: true }),
    );
  }

  override render() {
    return html`
      <form @submit=${this.onSubmit}>
        <h1>TelHawk</h1>
        <label>
          Username
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        ${this.errorMessage ? html`<div class="error" role="alert">${this.errorMessage}</div>` : ''}
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    `;
  }
}

customElements.define('th-login', ThLogin);

declare global {
  interface HTMLElementTagNameMap {
    'th-login': ThLogin;
  }
}
