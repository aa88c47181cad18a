// e2e (issue 16): /healthz and /readyz on the main and the admin port, readiness while AuthKit (the
// emulator) is down and after it recovers, /metrics values after a known sequence of requests,
// --log-format json (one JSON object a line, never a token) and X-Request-Id; in stateful mode, the
// sessions and open-connections gauges read at scrape time.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { freePort, mint, parseMetrics, retryUntil, startEmulator, startFastmcp } from './harness.mjs';

const running = [];
after(async () => { for (const p of running.reverse()) await p.stop(); });

const ping = (url, token, extra = {}) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
    ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
});

test('readiness follows the IdP; healthz, readyz, metrics, JSON logs and request ids', async () => {
  const emulator = await startEmulator();
  running.push(emulator);
  await emulator.admin('down');
  const port = await freePort();
  const server = await startFastmcp({ issuer: emulator.issuer, port, extraArgs: ['--admin-port', '0', '--log-format', 'json'] });
  running.push(server);
  assert.match(server.adminUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/, server.stdout());
  const bases = [server.base, server.adminUrl];

  // IdP down: alive, not ready, with a stable reason and nothing of the configuration.
  for (const base of bases) {
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { status: 'ok' });
    const r = await fetch(`${base}/readyz`);
    assert.equal(r.status, 503, base);
    const text = await r.text();
    assert.deepEqual(JSON.parse(text), { status: 'not_ready', reason: 'keys_unavailable' });
    assert.ok(!text.includes('127.0.0.1'), text);
  }
  // The IdP recovers: ready on both ports without a restart.
  await emulator.admin('up');
  for (const base of bases) {
    await retryUntil(async () => assert.equal((await fetch(`${base}/readyz`)).status, 200), { timeoutMs: 30000, intervalMs: 250 });
    assert.deepEqual(await (await fetch(`${base}/readyz`)).json(), { status: 'ready' });
  }
  // /metrics lives on the admin port only.
  assert.equal((await fetch(`${server.base}/metrics`)).status, 404);
  assert.equal((await fetch(`${server.adminUrl}/readyz`, { method: 'POST' })).status, 405);

  // A known sequence: 3 x 200 with a valid token, 2 x 401 with a bad one.
  const token = await mint(emulator.issuer, server.mcpUrl);
  const bad = `${token.slice(0, -4)}AAAA`; // signature no longer verifies
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const r = await ping(server.mcpUrl, token, { 'x-request-id': `ops-test-${i}` });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), `ops-test-${i}`);
    ids.push(`ops-test-${i}`);
  }
  for (let i = 0; i < 2; i++) {
    const r = await ping(server.mcpUrl, bad, { 'x-request-id': 'bad id with spaces\u00e9' });
    assert.equal(r.status, 401);
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/, 'an unsafe client id is replaced by a generated one');
    ids.push(id);
  }
  const generated = (await fetch(`${server.base}/healthz`)).headers.get('x-request-id');
  assert.match(generated, /^[0-9a-f]{16}$/);

  const res = await fetch(`${server.adminUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const exposition = await res.text();
  // promtool (Debian package prometheus) lints names, types and the format when it is installed.
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (!lint.error) assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  const m = parseMetrics(exposition);
  assert.equal(m.get('fastmcp_http_requests_total{route="mcp",method="POST",status="200"}'), 3);
  assert.equal(m.get('fastmcp_http_requests_total{route="mcp",method="POST",status="401"}'), 2);
  assert.equal(m.get('fastmcp_http_requests_total{route="metrics",method="GET",status="404"}'), 1);
  assert.equal(m.get('fastmcp_auth_verifications_total{reason="ok"}'), 3);
  assert.equal(m.get('fastmcp_auth_verifications_total{reason="bad_signature"}'), 2);
  assert.equal(m.get('fastmcp_auth_verify_duration_seconds_count'), 5);
  assert.equal(m.get('fastmcp_auth_token_cache_hits_total') + m.get('fastmcp_auth_token_cache_misses_total'), 5);
  assert.ok(m.get('fastmcp_auth_token_cache_hits_total') >= 2, 'the valid token is verified once, then cached');
  assert.ok(m.get('fastmcp_jwks_fetches_total{outcome="ok"}') >= 1);
  assert.ok(m.get('fastmcp_jwks_fetches_total{outcome="error"}') >= 1, 'fetches failed while the IdP was down');
  assert.equal(m.get('fastmcp_jwks_keys'), 1);
  assert.ok(m.get('fastmcp_jwks_last_success_age_seconds') < 60);
  assert.equal(m.get('fastmcp_ready'), 1);
  assert.equal(m.get('fastmcp_provider_stuck_calls'), 0);
  assert.ok(m.get('fastmcp_open_connections') >= 1);

  // JSON logs: every stderr line is one JSON object; access lines carry the agreed fields; no token.
  await server.stop();
  running.pop();
  await new Promise((r) => setTimeout(r, 200)); // let the last stderr chunks arrive
  const lines = server.stderr().split('\n').filter((l) => l.length);
  assert.ok(lines.length > 5);
  const records = lines.map((l) => { try { return JSON.parse(l); } catch { assert.fail(`not JSON: ${l}`); } });
  for (const r of records) {
    assert.equal(typeof r.time, 'string');
    assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(r.level));
    assert.equal(typeof r.message, 'string');
  }
  const text = server.stderr();
  assert.ok(!text.includes(token.split('.')[2]) && !text.includes(token), 'a token reached the log');
  assert.ok(!text.includes(bad.split('.')[2]), 'a bad token reached the log');
  const access = records.filter((r) => r.message === 'access' && r.route === 'mcp');
  assert.deepEqual(access.map((r) => r.request_id), ids);
  assert.deepEqual(access.map((r) => r.status), [200, 200, 200, 401, 401]);
  assert.deepEqual(access.map((r) => r.reason), ['ok', 'ok', 'ok', 'bad_signature', 'bad_signature']);
  for (const r of access) assert.equal(typeof r.latency_ms, 'number');
});

test('stateful mode: the sessions and open-connections gauges read the live state', async () => {
  const port = await freePort();
  const server = await startFastmcp({ port, auth: false, extraArgs: ['--admin-port', '0', '--stateful'] });
  running.push(server);
  const gauges = async () => {
    const m = parseMetrics(await (await fetch(`${server.adminUrl}/metrics`)).text());
    return { sessions: m.get('fastmcp_sessions'), connections: m.get('fastmcp_open_connections') };
  };
  assert.equal((await gauges()).sessions, 0);
  const initialize = () => fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ops-test', version: '1' } } }),
  });
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const r = await initialize();
    assert.equal(r.status, 200);
    await r.text();
    ids.push(r.headers.get('mcp-session-id'));
  }
  assert.equal((await gauges()).sessions, 2);
  const del = await fetch(server.mcpUrl, { method: 'DELETE', headers: { 'mcp-session-id': ids[0], 'mcp-protocol-version': '2025-06-18' } });
  assert.equal(del.status, 204);
  assert.equal((await gauges()).sessions, 1);
  // Auth off: /readyz answers on the loop, ready.
  assert.deepEqual(await (await fetch(`${server.base}/readyz`)).json(), { status: 'ready' });

  // Two raw keep-alive connections held open on the main port are counted at scrape time.
  const { connect } = await import('node:net');
  const before = (await gauges()).connections;
  const sockets = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  })));
  await retryUntil(async () => assert.equal((await gauges()).connections, before + 2), { timeoutMs: 5000, intervalMs: 50 });
  for (const s of sockets) s.destroy();
  await retryUntil(async () => assert.equal((await gauges()).connections, before), { timeoutMs: 5000, intervalMs: 50 });
});
