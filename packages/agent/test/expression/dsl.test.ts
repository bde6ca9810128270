import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DslSyntaxError, ExpressionCompileError, compileExpression, formatDsl, parseDsl } from '../../src/expression/index.js';
import { CASES } from './conformance-cases.js';

test('the reference mapping table (expression-language.md §4)', () => {
  const table: Array<[string, unknown]> = [
    ['user.address.city', { getmember: [{ getmember: [{ ref: 'user' }, 'address'] }, 'city'] }],
    ['headers["Host"]', { index: [{ ref: 'headers' }, 'Host'] }],
    ['items[0]', { index: [{ ref: 'items' }, 0] }],
    ['len(items) > 3', { gt: [{ len: { ref: 'items' } }, 3] }],
    ['any(tags, {@it == "beta"})', { any: [{ ref: 'tags' }, { eq: [{ ref: '@it' }, 'beta'] }] }],
    [
      '!isEmpty(user.email) && not(contains(name, "bot"))',
      { and: [{ not: { isEmpty: { getmember: [{ ref: 'user' }, 'email'] } } }, { not: { contains: [{ ref: 'name' }, 'bot'] } }] },
    ],
    ['@duration > 10 || @exception != null', { or: [{ gt: [{ ref: '@duration' }, 10] }, { ne: [{ ref: '@exception' }, null] }] }],
    ['substring(code, 0, 3) == "ERR"', { eq: [{ substring: [{ ref: 'code' }, 0, 3] }, 'ERR'] }],
    ['matches(path, "^/api/")', { matches: [{ ref: 'path' }, '^/api/'] }],
    ['instanceof(err, "TypeError")', { instanceof: [{ ref: 'err' }, 'TypeError'] }],
    ['err instanceof TypeError', { instanceof: [{ ref: 'err' }, 'TypeError'] }],
    ['any(items, @it.price > 10)', { any: [{ ref: 'items' }, { gt: [{ getmember: [{ ref: '@it' }, 'price'] }, 10] }] }],
    ['this.x', { getmember: [{ ref: 'this' }, 'x'] }],
    ['map["k"]', { index: [{ ref: 'map' }, 'k'] }],
    ['!x', { not: { ref: 'x' } }],
    ['eq(1, 2)', { eq: [1, 2] }],
    ["'single' == \"a\\u0041\\t\"", { eq: ['single', 'aA\t'] }],
    ['a && b && c', { and: [{ ref: 'a' }, { ref: 'b' }, { ref: 'c' }] }],
    ['(a && b) && c', { and: [{ and: [{ ref: 'a' }, { ref: 'b' }] }, { ref: 'c' }] }],
    ['a || b && c', { or: [{ ref: 'a' }, { and: [{ ref: 'b' }, { ref: 'c' }] }] }],
    ['!a == b', { not: { eq: [{ ref: 'a' }, { ref: 'b' }] } }],
    ['x == -2.5e-3', { eq: [{ ref: 'x' }, -0.0025] }],
  ];
  for (const [text, ast] of table) assert.deepStrictEqual(parseDsl(text), ast, text);
});

test('syntax errors name the column', () => {
  const cases: Array<[string, RegExp]> = [
    ['a ==', /Unexpected end of expression at column 5/],
    ['a == == b', /Unexpected "==" at column 6/],
    ['foo(1)', /Unknown function "foo" at column 1/],
    ['len(a, b)', /len\(\) takes 1 argument, got 2 at column 1/],
    ['"abc', /Unterminated string at column 1/],
    ['a # b', /Unexpected character "#" at column 3/],
    ['items[0', /Expected "]" but found the end at column 8/],
    ['getmember(a, b)', /expects a string literal name at column 14/],
    ['a b', /Unexpected "b" at column 3/],
    ['12abc', /Invalid number "12a" at column 1/],
    ['"\\q"', /Invalid escape "\\q" at column 2/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseDsl(text), (e: unknown) => e instanceof DslSyntaxError && re.test(e.message), text);
  }
});

test('deeply nested text is refused, not a stack overflow', () => {
  assert.throws(() => parseDsl('!'.repeat(500) + 'x'), DslSyntaxError);
  assert.throws(() => parseDsl('('.repeat(500) + 'x' + ')'.repeat(500)), DslSyntaxError);
});

/** Extra ASTs the DSL cannot express with infix/access forms, or that need parentheses. */
const EXTRA_ASTS: unknown[] = [
  { and: [{ ref: 'a' }] },
  { or: [{ or: [{ ref: 'a' }, { ref: 'b' }] }, { ref: 'c' }] },
  { and: [{ or: [{ ref: 'a' }, { ref: 'b' }] }, { not: { ref: 'c' } }] },
  { eq: [{ not: { ref: 'a' } }, { and: [{ ref: 'b' }, { ref: 'c' }] }] },
  { getmember: [{ ref: 'a' }, 'x-y'] },
  { getmember: [{ ref: 'a' }, 'true'] },
  { getmember: [-5, 'x'] },
  { getmember: [{ eq: [1, 2] }, 'x'] },
  { index: [{ or: [{ ref: 'a' }, { ref: 'b' }] }, { and: [true, 'k'] }] },
  { ref: 'len' },
  { ref: 'true' },
  { eq: [-0, 1e21] },
  { eq: ['quote " and \\ and \n and \u0001 and \ud800', 'é'] },
  { not: { not: { ref: 'x' } } },
  { not: { and: [{ ref: 'a' }, { ref: 'b' }] } },
  { filter: [{ filter: [{ ref: 'm' }, { eq: [{ ref: '@key' }, 'a'] }] }, { gt: [{ ref: '@value' }, 1] }] },
  { substring: [{ ref: 's' }, 1] },
  { instanceof: [{ getmember: [{ ref: 'a' }, 'b'] }, 'my.Type'] },
  { isUndefined: { index: [{ ref: 'a' }, 0] } },
  { count: { filter: [{ ref: 'a' }, { matches: [{ ref: '@it' }, '^x\\d+$'] }] } },
  { lt: [{ len: { ref: 'a' } }, { count: { ref: 'b' } }] },
];

test('parseDsl(formatDsl(ast)) deep-equals ast for every table and probe AST', () => {
  const asts = [...CASES.map((c) => (c.json !== undefined ? c.json : parseDsl(c.expr))), ...EXTRA_ASTS];
  assert.ok(asts.length > 250);
  for (const ast of asts) {
    let text: string;
    try {
      text = formatDsl(ast);
    } catch (e) {
      // Malformed ASTs (the compile-error rows) are refused by the printer as by the compiler.
      assert.ok(e instanceof ExpressionCompileError, String(e));
      assert.throws(() => compileExpression(ast), ExpressionCompileError);
      continue;
    }
    assert.deepStrictEqual(parseDsl(text), ast, text);
  }
});

test('formatDsl prints the canonical forms', () => {
  assert.equal(formatDsl({ and: [{ eq: [{ getmember: [{ ref: 'user' }, 'id'] }, 42] }, { gt: [{ len: { ref: 'items' } }, 0] }] }), 'user.id == 42 && len(items) > 0');
  assert.equal(formatDsl({ any: [{ ref: 'xs' }, { gt: [{ ref: '@it' }, 1] }] }), 'any(xs, {@it > 1})');
  assert.equal(formatDsl({ eq: [{ not: { ref: 'a' } }, true] }), '(!a) == true');
  assert.equal(formatDsl({ getmember: [{ ref: 'h' }, 'content-type'] }), 'getmember(h, "content-type")');
});
