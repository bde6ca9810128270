import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { openDatabase } from '../../src/store/database.js';
import { SymbolStore } from '../../src/store/symbol-store.js';
import type { WireScope } from '../../src/symbols/scope-tree.js';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

const fixtures = new URL('../../../test/fixtures/system-tests/', import.meta.url);
const validateSymdb = new Ajv({ strict: false }).compile(
  JSON.parse(readFileSync(new URL('library-symdb-v1-input-request.json', fixtures), 'utf8')),
);

const MAX = 2147483647;

/** A JS-shaped root scope (symbol-database.md §8) for src/services/user.ts with the given classes. */
function userFile(hash: string, classes: Array<{ name: string; start: number; methods: Array<{ name: string; start: number; end: number; args: string[]; locals?: string[] }> }>) {
  return {
    scope_type: 'MODULE',
    name: 'src/services/user.ts',
    source_file: 'src/services/user.ts',
    start_line: 0,
    end_line: MAX,
    language_specifics: { file_hash: hash },
    symbols: [{ symbol_type: 'STATIC_FIELD', name: 'DEFAULT_TTL', line: 3, type: 'number' }],
    scopes: classes.map((c) => ({
      scope_type: 'CLASS',
      name: c.name,
      source_file: 'src/services/user.ts',
      start_line: c.start,
      end_line: c.start + 30,
      language_specifics: { super_classes: ['BaseService'] },
      symbols: [{ symbol_type: 'FIELD', name: 'cache', line: 0, type: 'Map<string, User>' }],
      scopes: c.methods.map((m) => ({
        scope_type: 'METHOD',
        name: m.name,
        source_file: 'src/services/user.ts',
        start_line: m.start,
        end_line: m.end,
        symbols: [
          ...m.args.map((a) => ({ symbol_type: 'ARG', name: a, line: 0, type: 'string' })),
          ...(m.locals ?? []).map((l, i) => ({ symbol_type: 'LOCAL', name: l, line: m.start + 1 + i, type: null })),
        ],
        has_injectible_lines: true,
        injectible_lines: [{ start: m.start + 1, end: m.end - 1 }],
      })),
    })),
  };
}

function otherFile(path: string, fn: string) {
  return {
    scope_type: 'MODULE',
    name: path,
    source_file: path,
    start_line: 0,
    end_line: MAX,
    language_specifics: { file_hash: 'aaaa' },
    scopes: [{ scope_type: 'FUNCTION', name: fn, source_file: path, start_line: 1, end_line: 9, injectible_lines: [{ start: 2, end: 8 }] }],
  };
}

/** Uploads like dd-trace-py: an `event` JSON part and a gzipped `file` part, validated against the system-tests schema. */
async function upload(url: string, runtimeId: string, batchNum: number, scopes: object[], opts: { gzip?: boolean } = {}) {
  const attachment = { service: 'weblog', env: 'system-tests', version: '1.0.0', language: 'javascript', upload_id: runtimeId, batch_num: batchNum, final: false, scopes };
  const file = opts.gzip === false ? Buffer.from(JSON.stringify(attachment)) : gzipSync(JSON.stringify(attachment));
  const event = {
    ddsource: 'dd_debugger',
    service: 'weblog',
    version: '1.0.0',
    language: 'javascript',
    runtimeId,
    parentId: null,
    type: 'symdb',
    uploadId: runtimeId,
    batchNum,
    final: false,
    attachmentSize: file.length,
  };
  assert.ok(
    validateSymdb([
      { headers: { 'Content-Type': 'application/json' }, content: event },
      { headers: { 'Content-Type': 'application/gzip' }, content: attachment },
    ]),
    JSON.stringify(validateSymdb.errors),
  );
  const form = new FormData();
  form.append('event', new Blob([JSON.stringify(event)], { type: 'application/json' }), 'event.json');
  form.append('file', new Blob([file], { type: opts.gzip === false ? 'application/json' : 'application/gzip' }), `symbols_${batchNum}.json.gz`);
  const res = await fetch(`${url}/symdb/v1/input`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as any };
}

describe('symbol database', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('overlapping uploads from two instances and hot-load batches merge into one file entry', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const getUser = { name: 'getUser', start: 12, end: 20, args: ['id'], locals: ['user'] };
    const first = await upload(t.url, a, 1, [userFile('h1', [{ name: 'UserService', start: 5, methods: [getUser] }]), otherFile('src/orders.ts', 'placeOrder')]);
    assert.equal(first.status, 202);
    assert.deepEqual(first.body, { added: 2, merged: 0, unchanged: 0 });
    // The second instance (or a forked worker) uploads the same content: nothing new.
    const same = await upload(t.url, b, 1, [userFile('h1', [{ name: 'UserService', start: 5, methods: [getUser] }])], { gzip: false });
    assert.deepEqual(same.body, { added: 0, merged: 0, unchanged: 1 });
    // A hot-load batch brings another class of the same file content: merged in, nothing lost.
    const hot = await upload(t.url, b, 2, [userFile('h1', [{ name: 'AdminService', start: 40, methods: [{ name: 'getAdmin', start: 42, end: 50, args: ['adminId'] }] }])]);
    assert.deepEqual(hot.body, { added: 0, merged: 1, unchanged: 0 });

    const files = await http(`${t.url}/api/v1/symbols/files?service=weblog`);
    assert.deepEqual(files.body.files.map((f: any) => f.sourceFile), ['src/orders.ts', 'src/services/user.ts']);
    const file = await http(`${t.url}/api/v1/symbols/file?service=weblog&path=${encodeURIComponent('src/services/user.ts')}`);
    assert.deepEqual(file.body.root.scopes.map((s: any) => s.name).sort(), ['AdminService', 'UserService']);
    assert.equal(file.body.history.length, 1);

    const search = await http(`${t.url}/api/v1/symbols/search?q=getU&service=weblog`);
    const hits = search.body.results.filter((r: any) => r.name === 'getUser');
    assert.equal(hits.length, 1, 'one entry despite three uploads');
    assert.equal(hits[0].kind, 'function');
    assert.equal(hits[0].file, 'src/services/user.ts');
    assert.deepEqual([hits[0].startLine, hits[0].endLine], [12, 20]);
    assert.deepEqual(hits[0].scopeChain, ['src/services/user.ts', 'UserService']);
    assert.deepEqual(hits[0].injectibleLines, [{ start: 13, end: 19 }]);
  });

  test('prefix and fuzzy search across classes, functions, parameters and locals', async () => {
    const prefix = await http(`${t.url}/api/v1/symbols/search?q=Admin`);
    assert.equal(prefix.body.results[0].name, 'AdminService');
    assert.equal(prefix.body.results[0].kind, 'class');
    assert.deepEqual(prefix.body.results[0].injectibleLines, [{ start: 43, end: 49 }]);

    const fuzzy = await http(`${t.url}/api/v1/symbols/search?q=gtAdmn`);
    assert.equal(fuzzy.body.results[0].name, 'getAdmin');

    const param = await http(`${t.url}/api/v1/symbols/search?q=adminId&kind=parameter`);
    assert.equal(param.body.results.length, 1);
    assert.equal(param.body.results[0].type, 'string');
    assert.deepEqual(param.body.results[0].scopeChain, ['src/services/user.ts', 'AdminService', 'getAdmin']);

    const local = await http(`${t.url}/api/v1/symbols/search?q=user&kind=local`);
    assert.equal(local.body.results[0].name, 'user');
    assert.equal(local.body.results[0].line, 13);
    assert.deepEqual(local.body.results[0].injectibleLines, [{ start: 13, end: 19 }]);

    const substring = await http(`${t.url}/api/v1/symbols/search?q=orders&kind=file`);
    assert.equal(substring.body.results[0].name, 'src/orders.ts');

    const nothing = await http(`${t.url}/api/v1/symbols/search?q=zzqqxx`);
    assert.deepEqual(nothing.body.results, []);
    const bad = await http(`${t.url}/api/v1/symbols/search?q=x&kind=planet`);
    assert.equal(bad.status, 400);
  });

  test('new content for a path becomes what search sees, and the old content stays in history', async () => {
    const r = await upload(t.url, randomUUID(), 1, [userFile('h2', [{ name: 'UserService', start: 5, methods: [{ name: 'findUser', start: 12, end: 22, args: ['id'] }] }])]);
    assert.deepEqual(r.body, { added: 1, merged: 0, unchanged: 0 });
    const gone = await http(`${t.url}/api/v1/symbols/search?q=getUser&service=weblog`);
    assert.ok(!gone.body.results.some((x: any) => x.name === 'getUser'));
    const found = await http(`${t.url}/api/v1/symbols/search?q=findUser`);
    assert.equal(found.body.results[0].fileHash, 'h2');
    const file = await http(`${t.url}/api/v1/symbols/file?service=weblog&path=src/services/user.ts`);
    assert.equal(file.body.fileHash, 'h2');
    assert.deepEqual(file.body.history.map((h: any) => h.fileHash), ['h2', 'h1']);
    const old = await http(`${t.url}/api/v1/symbols/file?service=weblog&path=src/services/user.ts&hash=h1`);
    assert.deepEqual(old.body.root.scopes.map((s: any) => s.name).sort(), ['AdminService', 'UserService']);
  });

  test('rejects malformed uploads with the reason and stores nothing from them', async () => {
    const form = new FormData();
    form.append('event', new Blob([JSON.stringify({ service: 'weblog', runtimeId: 'r' })], { type: 'application/json' }), 'event.json');
    form.append('file', new Blob([gzipSync(JSON.stringify({ scopes: [{ scope_type: 'MODULE', name: 'src/bad.ts', start_line: 'one', end_line: 2 }] }))], { type: 'application/gzip' }), 'f.gz');
    const res = await fetch(`${t.url}/symdb/v1/input`, { method: 'POST', body: form });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as any).error.message, /scopes\[0\]\.start_line must be an integer/);
    const files = await http(`${t.url}/api/v1/symbols/files?service=weblog`);
    assert.ok(!files.body.files.some((f: any) => f.sourceFile === 'src/bad.ts'));
  });
});

describe('subsequence search budget', () => {
  /** One module with `count` functions named `filler<i>`; the first upload holds the only fuzzy match. */
  function module(path: string, names: string[]): WireScope {
    return {
      scope_type: 'MODULE',
      source_file: path,
      start_line: 0,
      end_line: MAX,
      scopes: names.map((name, i) => ({ scope_type: 'FUNCTION', name, start_line: i * 3 + 1, end_line: i * 3 + 2 })),
    };
  }

  test('stops the LIKE scan at the row budget, newest symbols first, and says the result is partial', () => {
    const dir = mkdtempSync(join(tmpdir(), 'periscope-fuzzy-'));
    const db = openDatabase(dir);
    try {
      const meta = { service: 'big', version: '1', language: 'javascript' };
      const unbounded = new SymbolStore(db);
      unbounded.upload(meta, [module('src/old.ts', ['getUserRecord'])]);
      for (let f = 0; f < 10; f++) {
        unbounded.upload(meta, [module(`src/filler-${f}.ts`, Array.from({ length: 500 }, (_, i) => `filler${f}x${i}`))]);
      }
      // "gtusrrc" only matches getUserRecord as a subsequence: the prefix and trigram stages find nothing.
      const query = { query: 'gtusrrc', service: 'big', limit: 20 };
      const full = unbounded.searchDetailed(query);
      assert.deepEqual(full.results.map((r) => r.name), ['getUserRecord']);
      assert.equal(full.partial, false);

      // A budget of 3000 rows (time budget out of the way) reaches only the newest filler files.
      const bounded = new SymbolStore(db, { fuzzyScanBudget: { rows: 3000, ms: 3_600_000 } });
      const cut = bounded.searchDetailed(query);
      assert.deepEqual(cut.results, []);
      assert.equal(cut.partial, true);
      // Prefix matches do not depend on the scan budget, and a match inside the budget is found.
      assert.deepEqual(bounded.searchDetailed({ ...query, query: 'getUserRec' }).results.map((r) => r.name), ['getUserRecord']);
      const recent = bounded.searchDetailed({ ...query, query: 'flr9x499' });
      assert.deepEqual(recent.results.map((r) => r.name), ['filler9x499']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the HTTP API reports partial results', async () => {
    const t = await startTestServer();
    try {
      const res = await http(`${t.url}/api/v1/symbols/search?q=zz`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { results: [], partial: false });
    } finally {
      await t.close();
    }
  });
});
