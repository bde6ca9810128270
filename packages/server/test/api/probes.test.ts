import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeDsl, http, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('probes API', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ dslCompiler: fakeDsl });
  });
  after(() => t.close());

  test('compiles DSL text in when, template and capture expressions through the DSL compiler', async () => {
    const res = await http(`${t.url}/api/v1/probes`, {
      body: { target: 'src/orders.ts:42', when: 'order.total > 100', template: 'Order {order.id} placed', service: 'shop', captureExpressions: [{ name: 'total', expr: 'order.total' }] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const d = res.body.definition;
    assert.deepEqual(d.when, { dsl: 'order.total > 100', json: { gt: [{ getmember: [{ ref: 'order' }, 'total'] }, 100] } });
    assert.deepEqual(d.segments, [{ str: 'Order ' }, { dsl: 'order.id', json: { getmember: [{ ref: 'order' }, 'id'] } }, { str: ' placed' }]);
    assert.deepEqual(d.captureExpressions, [{ name: 'total', expr: { dsl: 'order.total', json: { getmember: [{ ref: 'order' }, 'total'] } } }]);
    assert.equal(res.headers.get('location'), `/api/v1/probes/${res.body.id}`);
  });

  test('method targets, updates and deletes', async () => {
    const res = await http(`${t.url}/api/v1/probes`, { body: { target: 'OrderService/charge', captureSnapshot: true, sampling: { snapshotsPerSecond: 0.5 } } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body.where, { typeName: 'OrderService', methodName: 'charge' });
    assert.equal(res.body.evaluateAt, 'EXIT');
    const patched = await http(`${t.url}/api/v1/probes/${res.body.id}`, { method: 'PATCH', body: { sampling: null, when: { json: { eq: [1, 1] } } } });
    assert.equal(patched.body.version, 2);
    assert.equal(patched.body.sampling, null);
    assert.equal(patched.body.target, 'OrderService/charge');
    assert.deepEqual(patched.body.when, { dsl: '', json: { eq: [1, 1] } });
    const list = await http(`${t.url}/api/v1/probes`);
    assert.ok(list.body.probes.some((p: any) => p.id === res.body.id));
    assert.equal((await http(`${t.url}/api/v1/probes/${res.body.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await http(`${t.url}/api/v1/probes/${res.body.id}`)).status, 404);
    assert.equal((await http(`${t.url}/api/v1/probes/${res.body.id}`, { method: 'DELETE' })).status, 404);
  });

  test('answers invalid probes with 400 and a message saying what is wrong', async () => {
    const cases: Array<[object, RegExp]> = [
      [{}, /needs a "target"/],
      [{ target: 'src/orders.ts' }, /neither "file:line"/],
      [{ target: 'src/a.ts:1', captureSnapshot: true, captureExpressions: [{ name: 'x', expr: 'a' }] }, /Cannot set both captureSnapshot and captureExpressions/],
      [{ target: 'src/a.ts:1', when: 'a >' }, /cannot compile "a >"/],
      [{ target: 'src/a.ts:1', template: 'broken {a' }, /unmatched "\{"/],
      [{ target: 'src/a.ts:1', sampling: { snapshotsPerSecond: 0 } }, /snapshotsPerSecond/],
      [{ target: 'src/a.ts:1', captureSnaphot: true }, /unknown property "captureSnaphot"/],
      [{ target: 'src/a.ts:1', capture: { maxReferenceDepth: -1 } }, /maxReferenceDepth/],
    ];
    for (const [body, message] of cases) {
      const res = await http(`${t.url}/api/v1/probes`, { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'PERISCOPE_ERR_BAD_REQUEST');
      assert.match(res.body.error.message, message);
    }
  });

  test('without a DSL compiler, DSL text is a 400 that points at the JSON form', async () => {
    const s = await startTestServer({ dslCompiler: null });
    try {
      const res = await http(`${s.url}/api/v1/probes`, { body: { target: 'src/a.ts:1', when: 'a > 1' } });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /DSL compiler .* not available.*JSON AST/);
      const ast = await http(`${s.url}/api/v1/probes`, { body: { target: 'src/a.ts:1', when: { json: { gt: [{ ref: 'a' }, 1] } } } });
      assert.equal(ast.status, 201);
      // Without a compiler the JSON form is still checked, by the protocol's schema, path named.
      for (const [json, message] of [
        [{ frobnicate: [{ ref: 'a' }] }, /when\.json: unknown operator "frobnicate"/],
        [{ gt: [{ ref: 'a' }] }, /when\.json/],
      ] as Array<[object, RegExp]>) {
        const bad = await http(`${s.url}/api/v1/probes`, { body: { target: 'src/a.ts:1', when: { json } } });
        assert.equal(bad.status, 400, JSON.stringify(json));
        assert.match(bad.body.error.message, message);
      }
    } finally {
      await s.close();
    }
  });
});
