/**
 * Splunk's `foreach`, expanded into the stages it repeats: `foreach bytes_* [eval <<FIELD>>_kb =
 * <<FIELD>> / 1024]` over the fields `bytes_in` and `bytes_out` is `eval bytes_in_kb = bytes_in
 * / 1024, bytes_out_kb = bytes_out / 1024`. The templates are replaced in every name and text
 * of the stages, as Splunk replaces them in the text of its subsearch.
 */

import { type IToken, tokenMatcher } from 'chevrotain';
import type { Stage } from './ast.js';
import { fail } from './errors.js';
import * as t from './lexer.js';

type ForeachStage = Extract<Stage, { stage: 'foreach' }>;

/** Stages that `foreach` may repeat: those that change each row and keep the rows. */
export const FOREACH_STAGES: readonly string[] = [
  'eval',
  'where',
  'rename',
  'fillnull',
  'strcat',
  'rex',
  'makemv',
  'bin',
];

const TEMPLATE = /<<([A-Za-z0-9_]+)>>/g;

/**
 * Returns the first name with a `foreach` template, such as `<<FIELD>>_kb`, outside the
 * brackets of a `foreach`, where nothing replaces it, or undefined.
 */
export function templateOutsideForeach(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const token of tokens) {
    if (tokenMatcher(token, t.ForeachOpen)) depth++;
    else if (tokenMatcher(token, t.ForeachClose)) depth = Math.max(0, depth - 1);
    else if (tokenMatcher(token, t.TemplateName) && depth === 0) return token;
  }
  return undefined;
}

/** A field that `foreach` runs its stages for, and the text each wildcard matched. */
interface ForeachField {
  name: string;
  segments: string[];
}

/**
 * Returns the stages of `foreach` for each of its fields, with the templates replaced. A name
 * with `*` stands for the matching names among `columns`, in their order, and a plain name for
 * itself. Consecutive `eval` stages become one, which adds its fields in one step.
 */
export function foreachStages(stage: ForeachStage, columns: readonly string[]): Stage[] {
  const repeated: Stage[] = [];
  for (const field of foreachFields(stage, columns)) {
    for (const template of stage.stages) {
      if (!FOREACH_STAGES.includes(template.stage)) {
        fail(
          'stage.invalid',
          `foreach repeats stages that change each row, such as eval, not ${template.stage}: use ${FOREACH_STAGES.join(', ')}`,
          stage.loc,
        );
      }
      repeated.push(substitute(template, field, stage) as Stage);
    }
  }
  return mergeEvals(repeated);
}

function foreachFields(stage: ForeachStage, columns: readonly string[]): ForeachField[] {
  const fields: ForeachField[] = [];
  const seen = new Set<string>();
  const add = (name: string, segments: string[]) => {
    if (seen.has(name.toLowerCase())) return;
    seen.add(name.toLowerCase());
    fields.push({ name, segments });
  };
  for (const field of stage.fields) {
    if (!field.name.includes('*')) {
      add(field.name, []);
      continue;
    }
    const pattern = wildcardPattern(field.name);
    // A wildcard matches a name that starts with `_`, such as `_time`, only when the pattern
    // starts with `_` too, so that `foreach *` leaves the event time alone.
    const internal = field.name.startsWith('_');
    for (const column of columns) {
      if (column.startsWith('_') && !internal) continue;
      const match = pattern.exec(column);
      if (match !== null) add(column, match.slice(1));
    }
  }
  return fields;
}

/** Builds a case-insensitive regular expression for a `*` pattern, each `*` a group. */
function wildcardPattern(pattern: string): RegExp {
  const parts = pattern.split('*').map((part) => part.replace(/[.[\]{}()+?^$|\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('(.*?)')}$`, 'i');
}

/** Returns a copy of a stage's JSON with the templates in every text replaced. */
function substitute(value: unknown, field: ForeachField, stage: ForeachStage): unknown {
  if (typeof value === 'string') return replaceTemplates(value, field, stage);
  if (Array.isArray(value)) return value.map((item) => substitute(item, field, stage));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, substitute(item, field, stage)]),
  );
}

function replaceTemplates(text: string, field: ForeachField, stage: ForeachStage): string {
  return text.replace(TEMPLATE, (_, name: string) => {
    const upper = name.toUpperCase();
    if (upper === 'FIELD') return field.name;
    if (upper === 'MATCHSTR') return field.segments.join('');
    const segment = /^MATCHSEG(\d+)$/.exec(upper);
    if (segment !== null) return field.segments[Number(segment[1]) - 1] ?? '';
    return fail(
      'stage.invalid',
      `Unknown foreach template <<${name}>>: use <<FIELD>>, <<MATCHSTR>> or <<MATCHSEG1>>, <<MATCHSEG2>> and so on`,
      stage.loc,
    );
  });
}

/** Joins consecutive `eval` stages into one, whose assignments each see the ones before. */
function mergeEvals(stages: readonly Stage[]): Stage[] {
  const merged: Stage[] = [];
  for (const stage of stages) {
    const last = merged.at(-1);
    if (stage.stage === 'eval' && last?.stage === 'eval') {
      merged[merged.length - 1] = {
        stage: 'eval',
        assignments: [...last.assignments, ...stage.assignments],
      };
    } else {
      merged.push(stage);
    }
  }
  return merged;
}
