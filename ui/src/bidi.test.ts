import { describe, expect, it } from 'vitest';
import {
  BIDI_CONTROL_NAMES,
  codePointLabel,
  eventText,
  showBidiControls,
  splitBidiControls,
} from './bidi.js';

const CONTROLS = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
];

describe('splitBidiControls', () => {
  it('marks a right-to-left override', () => {
    expect(splitBidiControls('RTL \u202Egnp.exe')).toEqual([
      { text: 'RTL ' },
      { control: 'U+202E', name: 'RIGHT-TO-LEFT OVERRIDE' },
      { text: 'gnp.exe' },
    ]);
  });

  it('marks every control character', () => {
    for (const control of CONTROLS) {
      const parts = splitBidiControls(`a${control}b`);
      expect(parts).toEqual([
        { text: 'a' },
        { control: codePointLabel(control), name: BIDI_CONTROL_NAMES[control] },
        { text: 'b' },
      ]);
    }
  });

  it('names every control character', () => {
    expect(Object.keys(BIDI_CONTROL_NAMES).sort()).toEqual([...CONTROLS].sort());
  });

  it('keeps adjacent controls apart', () => {
    expect(splitBidiControls('\u2067\u2069')).toEqual([
      { control: 'U+2067', name: 'RIGHT-TO-LEFT ISOLATE' },
      { control: 'U+2069', name: 'POP DIRECTIONAL ISOLATE' },
    ]);
  });

  it('leaves other text whole', () => {
    expect(splitBidiControls('שלום abc \u200D')).toEqual([{ text: 'שלום abc \u200D' }]);
    expect(splitBidiControls('')).toEqual([]);
  });
});

describe('showBidiControls', () => {
  it('writes controls as code points', () => {
    expect(showBidiControls('RTL \u202Egnp.exe \u200F')).toBe('RTL [U+202E]gnp.exe [U+200F]');
  });

  it('leaves plain text unchanged', () => {
    expect(showBidiControls('<b>x</b>')).toBe('<b>x</b>');
  });
});

describe('codePointLabel', () => {
  it('pads to four hex digits', () => {
    expect(codePointLabel('\u061C')).toBe('U+061C');
    expect(codePointLabel('\u202E')).toBe('U+202E');
  });
});

describe('eventText', () => {
  it('renders no control character', () => {
    const values = eventText('RTL \u202Egnp.exe').values;
    const parts = values[0] as unknown[];
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe('RTL ');
    expect(parts[2]).toBe('gnp.exe');
    const token = parts[1] as { values: unknown[] };
    expect(token.values).toContain('U+202E');
    expect(JSON.stringify(values)).not.toContain('\u202E');
  });

  it('isolates the text in bdi', () => {
    expect(eventText('x').strings.join('')).toBe('<bdi></bdi>');
  });
});
