/**
 * Compilation of `tstats`, `strcat`, `xyseries`, `untable` and `foreach`, whose code lives in
 * a module each. `compiler.ts` reaches them through this module.
 */

import type { Stage } from './ast.js';
import { compileStage, currentColumnNames, type State } from './compiler.js';
import { foreachStages } from './foreach.js';
import { compileUntable, compileXyseries } from './reshape.js';
import { strcatEval } from './strcat.js';
import { compileTstats } from './tstats.js';

export { checkUntableNames, checkXyseriesFollowers } from './reshape.js';
export { isTimeName, liftTstatsSearch } from './tstats.js';

type CommandStage = Extract<
  Stage,
  { stage: 'tstats' | 'strcat' | 'xyseries' | 'untable' | 'foreach' }
>;

/** Compiles one of the stages of this module into the state of `compiler.ts`. */
export function compileCommandStage(state: State, stage: CommandStage): void {
  switch (stage.stage) {
    case 'tstats':
      compileTstats(state, stage);
      return;
    case 'strcat':
      compileStage(state, strcatEval(state.scope, stage));
      return;
    case 'xyseries':
      compileXyseries(state, stage);
      return;
    case 'untable':
      compileUntable(state, stage);
      return;
    case 'foreach':
      for (const repeated of foreachStages(stage, currentColumnNames(state))) {
        compileStage(state, repeated);
      }
      return;
  }
}
