/** localStorage key of the colour theme. */
const THEME_KEY = 'telhawk.theme';

export type Theme = 'dark' | 'light';

/** Returns the stored theme; dark unless the user chose light. */
export function loadTheme(): Theme {
  try {
    return localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

/** Applies a theme to the document and stores the choice. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset['theme'] = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage disabled: the theme still applies to this page.
  }
}
