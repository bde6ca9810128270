import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type AgentOptions } from '../../src/config/settings.js';
import { buildDdtags } from '../../src/transport/ddtags.js';
import { AgentClient } from '../../src/transport/agent-client.js';
import { FakeAgent } from '../helpers/fake-agent.js';

/** An app root without package.json, so that package defaults do not leak in. */
const EMPTY_ROOT = mkdtempSync(path.join(tmpdir(), 'settings-'));
/** A socket path that does not exist: no machine's real agent socket affects these tests. */
const NO_SOCKET = path.join(EMPTY_ROOT, 'no-agent.socket');

function load(env: Record<string, string>, options: AgentOptions = {}) {
  const warnings: string[] = [];
  const config = loadConfig({ appRoot: EMPTY_ROOT, ...options }, env, (m) => warnings.push(m), { agentSocketPath: NO_SOCKET });
  return { config, warnings };
}

test('defaults: RC on and polled every 5 s, DI on, agent at 127.0.0.1:8126, symbols follow DI', () => {
  const { config, warnings } = load({});
  assert.deepEqual(warnings, []);
  assert.equal(config.remoteConfigEnabled, true);
  assert.equal(config.remoteConfigPollIntervalSeconds, 5);
  assert.equal(config.dynamicInstrumentationEnabled, true);
  assert.equal(config.dynamicInstrumentationExplicitlyDisabled, false);
  assert.equal(config.agentUrl.href, 'http://127.0.0.1:8126/');
  assert.equal(config.uploadIntervalSeconds, 1);
  assert.equal(config.captureTimeoutMs, 15);
  assert.equal(config.service, 'node');
  assert.equal(config.symbolDatabaseUploadEnabled, undefined);
  assert.equal(config.symbolDatabaseForceUpload, false);
  assert.equal(config.symbolDatabaseHotLoad, true);
  assert.equal(config.symbolDatabaseIsolation, 'process');
  assert.deepEqual(config.symbolDatabaseIncludes, []);
  assert.deepEqual([config.redactedIdentifiers, config.redactionExcludedIdentifiers, config.redactedTypes], [[], [], []]);
});

test('each invalid value gives exactly one warning naming it, and the default', () => {
  const cases: Array<[Record<string, string>, (c: ReturnType<typeof load>['config']) => unknown, unknown, RegExp]> = [
    [{ DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: 'often' }, (c) => c.remoteConfigPollIntervalSeconds, 5, /DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS="often"/],
    [{ DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '-1' }, (c) => c.remoteConfigPollIntervalSeconds, 5, /DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS="-1"/],
    [{ DD_REMOTE_CONFIGURATION_ENABLED: 'maybe' }, (c) => c.remoteConfigEnabled, true, /DD_REMOTE_CONFIGURATION_ENABLED="maybe" is not a boolean/],
    [{ DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'sure' }, (c) => c.dynamicInstrumentationEnabled, true, /DD_DYNAMIC_INSTRUMENTATION_ENABLED="sure"/],
    [{ DD_DYNAMIC_INSTRUMENTATION_CAPTURE_TIMEOUT_MS: '0' }, (c) => c.captureTimeoutMs, 15, /DD_DYNAMIC_INSTRUMENTATION_CAPTURE_TIMEOUT_MS="0"/],
    [{ DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'perhaps' }, (c) => c.symbolDatabaseUploadEnabled, undefined, /DD_SYMBOL_DATABASE_UPLOAD_ENABLED="perhaps"/],
    [{ DD_TRACE_AGENT_PORT: 'http' }, (c) => c.agentUrl.href, 'http://127.0.0.1:8126/', /DD_TRACE_AGENT_PORT="http"/],
    [{ DD_TRACE_AGENT_PORT: '70000' }, (c) => c.agentUrl.href, 'http://127.0.0.1:8126/', /DD_TRACE_AGENT_PORT="70000" is not a TCP port/],
    [{ DD_TRACE_AGENT_URL: 'localhost:8126' }, (c) => c.agentUrl.href, 'http://127.0.0.1:8126/', /"localhost:8126" is not an http/],
    [{ DD_TRACE_AGENT_URL: 'http://' }, (c) => c.agentUrl.href, 'http://127.0.0.1:8126/', /"http:\/\/" is not an http/],
    [{ DD_AGENT_HOST: 'bad host' }, (c) => c.agentUrl.href, 'http://127.0.0.1:8126/', /DD_AGENT_HOST="bad host"/],
    [{ PERISCOPE_SYMBOL_DATABASE_ISOLATION: 'fiber' }, (c) => c.symbolDatabaseIsolation, 'process', /PERISCOPE_SYMBOL_DATABASE_ISOLATION="fiber" is not "process" or "thread"/],
  ];
  for (const [env, read, expected, message] of cases) {
    const { config, warnings } = load(env);
    assert.equal(read(config), expected, JSON.stringify(env));
    assert.equal(warnings.length, 1, `${JSON.stringify(env)}: ${JSON.stringify(warnings)}`);
    assert.match(warnings[0]!, message);
  }
});

test('booleans accept true/false/1/0 (any case); empty values count as unset', () => {
  assert.equal(load({ DD_REMOTE_CONFIGURATION_ENABLED: 'FALSE' }).config.remoteConfigEnabled, false);
  assert.equal(load({ DD_REMOTE_CONFIG_ENABLED: '0' }).config.remoteConfigEnabled, false);
  assert.equal(load({ DD_DYNAMIC_INSTRUMENTATION_ENABLED: '1' }).config.dynamicInstrumentationEnabled, true);
  const off = load({ DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'false' }).config;
  assert.deepEqual([off.dynamicInstrumentationEnabled, off.dynamicInstrumentationExplicitlyDisabled], [false, true]);
  const empty = load({ DD_DYNAMIC_INSTRUMENTATION_ENABLED: ' ', DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '' });
  assert.deepEqual(empty.warnings, []);
  assert.equal(empty.config.dynamicInstrumentationEnabled, true);
  assert.equal(load({ DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.2' }).config.remoteConfigPollIntervalSeconds, 0.2);
});

test('agent URL: DD_TRACE_AGENT_URL wins over DD_AGENT_HOST/DD_TRACE_AGENT_PORT; the option wins over both', () => {
  const hostPort = { DD_AGENT_HOST: 'agent.internal', DD_TRACE_AGENT_PORT: '9126' };
  assert.equal(load(hostPort).config.agentUrl.href, 'http://agent.internal:9126/');
  assert.equal(load({ DD_AGENT_HOST: 'agent.internal' }).config.agentUrl.href, 'http://agent.internal:8126/');
  assert.equal(load({ DD_TRACE_AGENT_PORT: '9000' }).config.agentUrl.href, 'http://127.0.0.1:9000/');
  assert.equal(load({ DD_TRACE_AGENT_HOSTNAME: 'alias.internal' }).config.agentUrl.href, 'http://alias.internal:8126/');
  assert.equal(load({ DD_AGENT_HOST: '::1' }).config.agentUrl.href, 'http://[::1]:8126/');
  assert.equal(load({ ...hostPort, DD_TRACE_AGENT_URL: 'https://url.internal:1234' }).config.agentUrl.href, 'https://url.internal:1234/');
  assert.equal(load({ ...hostPort, DD_TRACE_URL: 'http://alias-url.internal:1' }).config.agentUrl.href, 'http://alias-url.internal:1/');
  assert.equal(load({ DD_TRACE_AGENT_URL: 'unix:///run/dd.sock' }).config.agentUrl.href, 'unix:///run/dd.sock');
  assert.equal(
    load({ ...hostPort, DD_TRACE_AGENT_URL: 'http://url.internal:1' }, { agentUrl: 'http://option.internal:2' }).config.agentUrl.href,
    'http://option.internal:2/',
  );
});

test('the default agent socket is used when it exists and neither host nor port is set', async (t) => {
  if (process.platform === 'win32') return t.skip('Unix sockets');
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-sock-'));
  const socketPath = path.join(dir, 'apm.socket');
  const agent = await FakeAgent.start({ socketPath });
  t.after(() => agent.close());
  const withSocket = (env: Record<string, string>) => loadConfig({ appRoot: EMPTY_ROOT }, env, () => {}, { agentSocketPath: socketPath }).agentUrl;

  const url = withSocket({});
  assert.equal(url.href, `unix://${socketPath}`);
  // The detected URL reaches the agent listening there.
  const client = new AgentClient({ agentUrl: url });
  t.after(() => client.close());
  assert.equal(await client.offers('/debugger/v2/input'), true);

  // A host or a port means TCP; a plain file at the path is not a socket.
  assert.equal(withSocket({ DD_AGENT_HOST: 'h' }).href, 'http://h:8126/');
  assert.equal(withSocket({ DD_TRACE_AGENT_PORT: '1234' }).href, 'http://127.0.0.1:1234/');
  const plainFile = path.join(dir, 'not-a-socket');
  writeFileSync(plainFile, '');
  assert.equal(loadConfig({ appRoot: EMPTY_ROOT }, {}, () => {}, { agentSocketPath: plainFile }).agentUrl.href, 'http://127.0.0.1:8126/');
});

test('DD_TAGS (commas or whitespace) and DD_GIT_* feed the tags and the ddtags of uploads', () => {
  const { config } = load({
    DD_TAGS: 'team:core, env:from-tags,version:9,git.commit.sha:fromtags,git.repository_url:https://tags.example/r.git',
    DD_GIT_COMMIT_SHA: 'abc123',
    DD_GIT_REPOSITORY_URL: 'https://user:token@github.com/acme/app.git',
  });
  assert.equal(config.tags['team'], 'core');
  assert.equal(config.env, 'from-tags');
  assert.equal(config.version, '9');
  assert.equal(config.gitCommitSha, 'abc123', 'DD_GIT_* before DD_TAGS');
  assert.equal(config.gitRepositoryUrl, 'https://github.com/acme/app.git', 'credentials stripped');
  const ddtags = buildDdtags({ ...config, hostname: 'h1' }, '0.1.0').split(',');
  assert.deepEqual(ddtags, ['env:from-tags', 'version:9', 'debugger_version:0.1.0', 'host_name:h1', 'git.commit.sha:abc123', 'git.repository_url:https://github.com/acme/app.git']);

  const fromTags = load({ DD_TAGS: 'git.commit.sha:fromtags git.repository_url:https://x:y@tags.example/r.git service:tagged' }).config;
  assert.deepEqual([fromTags.gitCommitSha, fromTags.gitRepositoryUrl, fromTags.service], ['fromtags', 'https://tags.example/r.git', 'tagged']);
  const explicit = load({ DD_TAGS: 'env:t,version:1', DD_ENV: 'prod', DD_VERSION: '2', DD_SERVICE: 'svc' }).config;
  assert.deepEqual([explicit.env, explicit.version, explicit.service], ['prod', '2', 'svc']);

  const off = load({ DD_TRACE_GIT_METADATA_ENABLED: 'false', DD_GIT_COMMIT_SHA: 'abc', DD_TAGS: 'git.commit.sha:t' }).config;
  assert.deepEqual([off.gitCommitSha, off.gitRepositoryUrl], [undefined, undefined]);
  assert.doesNotMatch(buildDdtags({ ...off, hostname: 'h' }, '1'), /git\./);
});

test('redaction lists, capture timeout and the other DI numbers come from their variables', () => {
  const { config, warnings } = load({
    DD_DYNAMIC_INSTRUMENTATION_REDACTED_IDENTIFIERS: 'session_token, x-customer ,',
    DD_DYNAMIC_INSTRUMENTATION_REDACTION_EXCLUDED_IDENTIFIERS: 'password',
    DD_DYNAMIC_INSTRUMENTATION_REDACTED_TYPES: 'Secret*,acme.Credentials',
    DD_DYNAMIC_INSTRUMENTATION_CAPTURE_TIMEOUT_MS: '1000',
    DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.1',
    DD_DYNAMIC_INSTRUMENTATION_EVALUATION_TIMEOUT_MS: '20',
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.redactedIdentifiers, ['session_token', 'x-customer']);
  assert.deepEqual(config.redactionExcludedIdentifiers, ['password']);
  assert.deepEqual(config.redactedTypes, ['Secret*', 'acme.Credentials']);
  assert.equal(config.captureTimeoutMs, 1000);
  assert.equal(config.uploadIntervalSeconds, 0.1);
  assert.equal(config.evaluationTimeoutMs, 20);
  // Programmatic options win over the environment.
  assert.equal(load({ DD_DYNAMIC_INSTRUMENTATION_CAPTURE_TIMEOUT_MS: '1000' }, { captureTimeoutMs: 10 }).config.captureTimeoutMs, 10);
});

test('Symbol Database settings: tri-state upload, forced upload (both names), includes, hot-load opt-out', () => {
  assert.equal(load({ DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'true' }).config.symbolDatabaseUploadEnabled, true);
  assert.equal(load({ DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'false' }).config.symbolDatabaseUploadEnabled, false);
  assert.equal(load({ DD_INTERNAL_FORCE_SYMBOL_DATABASE_UPLOAD: 'true' }).config.symbolDatabaseForceUpload, true);
  assert.equal(load({ _DD_SYMBOL_DATABASE_FORCE_UPLOAD: '1' }).config.symbolDatabaseForceUpload, true);
  assert.deepEqual(load({ DD_SYMBOL_DATABASE_INCLUDES: '@acme/shared, lodash' }).config.symbolDatabaseIncludes, ['@acme/shared', 'lodash']);
  assert.equal(load({ PERISCOPE_SYMBOL_DATABASE_HOT_LOAD: 'false' }).config.symbolDatabaseHotLoad, false);
  assert.equal(load({ PERISCOPE_SYMBOL_DATABASE_ISOLATION: 'Thread' }).config.symbolDatabaseIsolation, 'thread');
  assert.equal(load({ DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'true' }, { symbolDatabaseUploadEnabled: false }).config.symbolDatabaseUploadEnabled, false);
});
