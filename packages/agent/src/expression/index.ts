/**
 * The probe expression language (shared/reference/expression-language.md): compile the JSON
 * AST once at install, evaluate it at every hit without running application code.
 */
export {
  type CompiledExpression,
  type CompiledCondition,
  MAX_AST_DEPTH,
  compileExpression,
  compileCondition,
  referencedNames,
} from './compile.js';
export { type CompiledTemplate, type RenderedMessage, compileTemplate, capMessage } from './template.js';
export {
  type EvaluationFailureKind,
  ExpressionCompileError,
  ExpressionEvaluationError,
} from './errors.js';
export {
  type EvaluationScope,
  type RedactionPolicy,
  type CompileOptions,
  NOT_FOUND,
  DEFAULT_EVALUATION_BUDGET_MS,
} from './scope.js';
export { REDACTED, renderValue } from './render.js';
export { type SafePattern, type PatternCost, analyzePattern, compilePattern, enableLinearRegexEngine, linearRegexEngineAvailable } from './regex.js';
export { DslSyntaxError, parseDsl } from './dsl-parse.js';
export { formatDsl } from './dsl-format.js';
export { type OperandShape, OPERATORS } from './operators.js';
