/** localStorage key of the recent query list. */
export const HISTORY_KEY = 'telhawk.queryHistory';
export const HISTORY_MAX = 20;

/** The subset of the Web Storage API that the history uses. */
export type HistoryStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Returns the recent queries, newest first. Unreadable stored data gives an empty list. */
export function loadHistory(storage: HistoryStorage): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(HISTORY_KEY) ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((item): item is string => typeof item === 'string').slice(0, HISTORY_MAX);
}

/**
 * Puts a query at the front of the history, removes its older copy, keeps at most
 * `HISTORY_MAX` entries and returns the new list. Blank queries are not stored. A storage that
 * throws (quota, private mode) leaves the history unsaved but still returns the new list.
 */
export function rememberQuery(storage: HistoryStorage, query: string): string[] {
  const trimmed = query.trim();
  const current = loadHistory(storage);
  if (trimmed === '') return current;
  const next = [trimmed, ...current.filter((item) => item !== trimmed)].slice(0, HISTORY_MAX);
  try {
    storage.setItem(HISTORY_KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the list still works for this page.
  }
  return next;
}
