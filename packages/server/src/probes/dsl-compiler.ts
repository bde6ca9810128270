/**
 * Turns expression-language text (`order.total > 100`) into the JSON AST that tracers
 * evaluate. The server does not parse the DSL itself: it borrows the agent's parser when that
 * package is built, so both always agree on the grammar.
 */
export interface DslCompiler {
  /** Returns the JSON AST, or throws an Error whose message says what is wrong with `text`. */
  compile(text: string): unknown;
}

type ParseDsl = (text: string) => unknown;

/**
 * Loads `parseDsl` from `@periscope/agent` (`dist/src/expression/index.js`) by dynamic import,
 * so the server has no build-time dependency on the agent. Resolves to `null` when the agent
 * package or its expression module is not available.
 */
export async function loadAgentDslCompiler(): Promise<DslCompiler | null> {
  let moduleUrl: string;
  try {
    moduleUrl = new URL('./dist/src/expression/index.js', import.meta.resolve('@periscope/agent/package.json')).href;
  } catch {
    return null;
  }
  try {
    const mod = (await import(moduleUrl)) as { parseDsl?: unknown };
    if (typeof mod.parseDsl !== 'function') return null;
    const parseDsl = mod.parseDsl as ParseDsl;
    return { compile: (text) => parseDsl(text) };
  } catch {
    return null;
  }
}
