/**
 * Test applications for the Symbol Database: the committed fixtures copied into a fresh temp
 * directory (the application root), a `node_modules` dependency written next to them, and the
 * TypeScript app compiled with the real `typescript` compiler (source maps on disk).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const SYMBOL_FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/symbols/', import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A copy of `fixtures/symbols/js-app` with a dependency in `node_modules/dep`. */
export function makeJsApp(): string {
  const root = tempDir('symdb-js-');
  cpSync(path.join(SYMBOL_FIXTURES, 'js-app'), root, { recursive: true });
  const dep = path.join(root, 'node_modules', 'dep');
  mkdirSync(dep, { recursive: true });
  writeFileSync(path.join(dep, 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0', main: 'index.js' }));
  writeFileSync(path.join(dep, 'index.js'), 'exports.wrap = function wrap(x) {\n  return x;\n};\n');
  return root;
}

export interface TsCompileOptions {
  /** Embed the map in the .js and the sources in the map (`inlineSourceMap` + `inlineSources`). */
  inline?: boolean;
}

/**
 * `fixtures/symbols/ts-app` compiled file by file with the real TypeScript compiler
 * (`transpileModule`: CommonJS, ES2022) into `<root>/dist`, with a `.js.map` next to each file
 * (sources relative to the map, as tsc writes them) or, with `inline`, the map and the sources
 * embedded in the `.js`.
 */
export function makeTsApp(opts: TsCompileOptions = {}): string {
  const root = tempDir('symdb-ts-');
  cpSync(path.join(SYMBOL_FIXTURES, 'ts-app'), root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'symdb-ts-app', version: '1.0.0', type: 'commonjs' }));
  for (const rel of ['main.ts', 'services/user.ts', 'services/base.ts']) {
    const tsFile = path.join(root, 'src', rel);
    const jsFile = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    const out = ts.transpileModule(readFileSync(tsFile, 'utf8'), {
      fileName: tsFile,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: opts.inline === true },
    });
    const map = JSON.parse(out.sourceMapText!) as { sources: string[]; file: string };
    map.sources = [path.relative(path.dirname(jsFile), tsFile)];
    map.file = path.basename(jsFile);
    const mapText = JSON.stringify(map);
    const code = out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '').trimEnd();
    mkdirSync(path.dirname(jsFile), { recursive: true });
    if (opts.inline) {
      writeFileSync(jsFile, `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(mapText).toString('base64')}\n`);
    } else {
      writeFileSync(`${jsFile}.map`, mapText);
      writeFileSync(jsFile, `${code}\n//# sourceMappingURL=${path.basename(jsFile)}.map\n`);
    }
  }
  return root;
}

/** The 1-based line of the line holding `// @marker` in a file. */
export function markerLine(file: string, marker: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// @${marker}`) && !l.includes(`// @${marker}-`));
  if (i < 0) throw new Error(`marker @${marker} not found in ${file}`);
  return i + 1;
}
