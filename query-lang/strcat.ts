/**
 * Splunk's `strcat`, compiled as the `eval` it stands for: `strcat host "-" user out` is
 * `eval out = coalesce(host, "") . "-" . coalesce(user, "")`.
 */

import type { Expr, Stage } from './ast.js';
import { QueryError } from './errors.js';
import { resolveField, type Scope } from './fields.js';

type StrcatStage = Extract<Stage, { stage: 'strcat' }>;

/**
 * Returns the `eval` stage of a `strcat`. A missing field is empty text, as in Splunk. With
 * `allrequired=t` a row that lacks one of the fields keeps the value the output field had, or
 * gets none when there was no such field.
 */
export function strcatEval(scope: Scope, stage: StrcatStage): Stage {
  const field = (name: string, loc = stage.loc): Expr => ({
    expr: 'field',
    name,
    ...(loc !== undefined && { loc }),
  });
  const text = (value: string): Expr => ({ expr: 'literal', value });
  const call = (fn: string, ...args: Expr[]): Expr => ({ expr: 'call', fn, args });

  const pieces = stage.parts.map((part) => {
    if ('text' in part) return text(part.text);
    const value = field(part.field, part.loc);
    return stage.allRequired ? value : call('coalesce', value, text(''));
  });
  // Text first, so that one part alone, such as a number, becomes text too.
  const first = pieces.length === 1 ? [text('')] : [];
  const joined = [...first, ...pieces].reduce(
    (left, right): Expr => ({ expr: 'binary', op: '.', left, right }),
  );
  let value = joined;
  if (stage.allRequired) {
    const present = stage.parts
      .filter((part) => 'field' in part)
      .map((part) => call('isnotnull', field(part.field, part.loc)));
    if (present.length > 0) {
      const condition = present.reduce(
        (left, right): Expr => ({ expr: 'binary', op: 'and', left, right }),
      );
      const previous = knownField(scope, stage.output)
        ? field(stage.output)
        : ({ expr: 'literal', value: null } as Expr);
      value = call('if', condition, joined, previous);
    }
  }
  const assignment = { name: stage.output, value, ...(stage.loc && { loc: stage.loc }) };
  return { stage: 'eval', assignments: [assignment] };
}

/** Returns whether a name reads a field in the scope, so that `strcat` may keep its value. */
function knownField(scope: Scope, name: string): boolean {
  try {
    resolveField(scope, name, undefined);
    return true;
  } catch (error) {
    if (error instanceof QueryError) return false;
    throw error;
  }
}
