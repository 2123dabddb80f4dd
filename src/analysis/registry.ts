/**
 * Every rule, one explicit list sorted by layer then id (as ESLint's lib/rules/index.js).
 * registry.test.ts fails when a rule file under rules/ is missing here or has no test beside it.
 */
import type { RuleDef } from './define-rule.js';
import containerRestarts from './rules/system/container-restarts.js';

export const RULES: RuleDef[] = [
  // system
  containerRestarts,
];
