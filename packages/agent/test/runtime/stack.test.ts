import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStack, recordStack } from '../../src/runtime/stack.js';
import { withStackTraceLimit } from '../../src/safe/reflect.js';

class Entry {
  run(fn: () => unknown): unknown {
    return fn();
  }
}

function userCode(entry: Entry) {
  return entry.run(() => recordStack(Entry.prototype.run));
}

test('the stack is recorded at the hit without the frames above the entry point, and formatted later', () => {
  const hook = Error.prepareStackTrace;
  const pending = userCode(new Entry()) as ReturnType<typeof recordStack>;
  const frames = formatStack(pending, () => false, undefined);
  assert.equal(frames[0]!.function, 'userCode');
  assert.match(frames[0]!.fileName, /stack\.test\.js$/);
  // Formatting does not leave the application's hook changed.
  assert.equal(Error.prepareStackTrace, hook);
});

test('an application-defined Error.stackTraceLimit accessor is never called', () => {
  const original = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
  let calls = 0;
  Object.defineProperty(Error, 'stackTraceLimit', {
    configurable: true,
    get: () => {
      calls++;
      return 10;
    },
    set: () => {
      calls++;
    },
  });
  try {
    assert.equal(withStackTraceLimit(0, () => 'ran'), 'ran');
    const pending = userCode(new Entry()) as ReturnType<typeof recordStack>;
    formatStack(pending, () => false, undefined);
    assert.equal(calls, 0);
  } finally {
    Object.defineProperty(Error, 'stackTraceLimit', original);
  }
  // A plain property is set for the call and restored after it.
  const seen = withStackTraceLimit(3, () => Error.stackTraceLimit);
  assert.equal(seen, 3);
  assert.equal(Error.stackTraceLimit, original.value);
});

test('an application-defined Error.prepareStackTrace accessor is never called: the stack is left out instead', () => {
  const original = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  const restore = () => {
    if (original) Object.defineProperty(Error, 'prepareStackTrace', original);
    else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
  };
  const pending = userCode(new Entry()) as ReturnType<typeof recordStack>;
  let calls = 0;
  Object.defineProperty(Error, 'prepareStackTrace', {
    configurable: true,
    get: () => {
      calls++;
      return undefined;
    },
    set: () => {
      calls++;
    },
  });
  try {
    assert.deepEqual(formatStack(pending, () => false, undefined), []);
    assert.equal(calls, 0);
  } finally {
    restore();
  }
  // With a plain hook of the application's, frames are formatted and its hook is put back.
  const mine = () => 'app';
  Error.prepareStackTrace = mine;
  try {
    const again = userCode(new Entry()) as ReturnType<typeof recordStack>;
    assert.equal(formatStack(again, () => false, undefined)[0]!.function, 'userCode');
    assert.equal(Error.prepareStackTrace, mine);
  } finally {
    restore();
  }
});
