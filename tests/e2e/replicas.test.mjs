// e2e (issue 16): three `fastmcp run` replicas (AuthKitProvider against the emulator) behind a real
// nginx on loopback (round robin, proxy_next_upstream retries, generated config under a temp -p
// prefix). The TS SDK OAuth client works through nginx; then mixed load (valid tokens, bad tokens,
// tools/call) while one replica is SIGKILLed: no request gets a wrong verdict, errors stay within a
// measured bound, and each replica fetched the JWKS at most once per TTL plus rate-limited refetches.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { AutoApproveOAuthProvider, freePort, mint, parseMetrics, retryUntil, startEmulator, startFastmcp } from './harness.mjs';
import { NGINX, startNginx } from './load_balancer.mjs';

const LOAD_MS = 6000;      // mixed load, in total
const KILL_AT_MS = 2000;   // SIGKILL one replica this far into the load
const WORKERS = 12;        // concurrent clients
// Errors allowed (requests that got neither their right verdict nor any verdict: 502/504/reset).
// Measured on this 2-core machine under load: 0 (nginx retries the refused or reset upstream at
// once: POST retries are allowed with non_idempotent). The bound leaves room for one in-flight
// request per worker on the killed replica.
const ERROR_BOUND = WORKERS;

const running = [];
after(async () => { for (const p of running.reverse()) await p.stop(); });

const rpc = (url, token, method, params, id) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
  body: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }),
});

async function jwksFetches(adminUrl) {
  const m = parseMetrics(await (await fetch(`${adminUrl}/metrics`)).text());
  return { ok: m.get('fastmcp_jwks_fetches_total{outcome="ok"}'), error: m.get('fastmcp_jwks_fetches_total{outcome="error"}'), m };
}

test('three replicas behind nginx: SDK OAuth, mixed load, SIGKILL one replica', { skip: !NGINX && 'nginx is not installed' }, async () => {
  const started = Date.now();
  const emulator = await startEmulator();
  running.push(emulator);
  const lbPort = await freePort();
  const lbBase = `http://127.0.0.1:${lbPort}`;
  // Every replica is the same resource: BASE_URL is the load balancer's URL (the token audience).
  const replicas = [];
  for (let i = 0; i < 3; i++) {
    const r = await startFastmcp({
      issuer: emulator.issuer, port: await freePort(), extraArgs: ['--admin-port', '0', '--log-level', 'warning'],
      extraEnv: { FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL: lbBase },
    });
    running.push(r);
    replicas.push(r);
  }
  for (const r of replicas)
    await retryUntil(async () => assert.equal((await fetch(`${r.adminUrl}/readyz`)).status, 200), { timeoutMs: 15000, intervalMs: 100 });
  const lb = await startNginx(lbPort, replicas.map((r) => Number(new URL(r.base).port)));
  running.push(lb);
  const mcpUrl = `${lb.base}/mcp`;

  // The TS SDK's OAuth client, through nginx, against the emulator.
  const provider = new AutoApproveOAuthProvider();
  const first = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await assert.rejects(first.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider })),
    (e) => e instanceof UnauthorizedError);
  await new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }).finishAuth(provider.pendingCode);
  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider }));
  for (let i = 0; i < 6; i++) assert.deepEqual(await client.ping(), {}); // round robin: every replica
  const echoed = await client.callTool({ name: 'echo', arguments: { text: 'through nginx' } });
  assert.equal(echoed.isError ?? false, false);
  await client.close();
  const valid = provider.tokens().access_token;
  const other = await mint(emulator.issuer, mcpUrl, 'user_01REPLICASECONDUSER000000000');
  const badSig = `${valid.slice(0, -4)}AAAA`;
  const wrongAud = await mint(emulator.issuer, 'http://127.0.0.1:1/mcp');
  const before = await Promise.all(replicas.map((r) => jwksFetches(r.adminUrl)));

  // Mixed load; SIGKILL replica 0 at KILL_AT_MS.
  const kinds = [
    { name: 'ping', token: valid, method: 'ping', want: 200 },
    { name: 'tools/call', token: other, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } }, want: 200 },
    { name: 'bad signature', token: badSig, method: 'ping', want: 401 },
    { name: 'wrong audience', token: wrongAud, method: 'ping', want: 401 },
  ];
  const stats = { total: 0, wrong: [], errors: [], byStatus: {} };
  const loadStart = Date.now();
  let killedAt = 0;
  let servedBeforeKill = 0;
  const killer = new Promise((resolve) => setTimeout(async () => {
    const m = (await jwksFetches(replicas[0].adminUrl)).m;
    servedBeforeKill = m.get('fastmcp_http_requests_total{route="mcp",method="POST",status="200"}') ?? 0;
    replicas[0].child.kill('SIGKILL');
    killedAt = Date.now() - loadStart;
    resolve();
  }, KILL_AT_MS));
  let seq = 0;
  const worker = async () => {
    while (Date.now() - loadStart < LOAD_MS) {
      const n = seq++;
      const k = kinds[n % kinds.length];
      let status = 0;
      try {
        const r = await rpc(mcpUrl, k.token, k.method, k.params, n);
        status = r.status;
        const body = await r.text();
        if (status === 200) assert.ok(!body.includes('"error"') || k.want !== 200, body);
      } catch { status = 0; }
      stats.total++;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (status === k.want) continue;
      // A wrong verdict: a valid token refused, or a bad token served.
      if ((k.want === 200 && (status === 401 || status === 403)) || (k.want === 401 && status === 200))
        stats.wrong.push({ kind: k.name, status, atMs: Date.now() - loadStart });
      else stats.errors.push({ kind: k.name, status, atMs: Date.now() - loadStart });
    }
  };
  await Promise.all([killer, ...Array.from({ length: WORKERS }, worker)]);
  const seconds = (Date.now() - loadStart) / 1000;
  console.log(`replicas: ${stats.total} requests in ${seconds.toFixed(1)} s (${(stats.total / seconds).toFixed(0)}/s), ` +
    `replica 0 SIGKILLed at ${killedAt} ms; statuses ${JSON.stringify(stats.byStatus)}; ` +
    `wrong verdicts ${stats.wrong.length}; errors ${stats.errors.length} ${JSON.stringify(stats.errors.slice(0, 5))}; bound ${ERROR_BOUND}`);
  // What nginx saw: each line is an upstream failure it retried on another replica (or gave up on).
  const nginxErrors = lb.errorLog().split('\n')
    .filter((l) => /upstream|connect\(\) failed/.test(l)).length;
  console.log(`replicas: replica 0 had served ${servedBeforeKill} x 200 before the kill; nginx logged ${nginxErrors} upstream failures`);
  assert.ok(servedBeforeKill > 0, 'the killed replica was in rotation');
  assert.deepEqual(stats.wrong, [], 'no request may get a wrong verdict');
  assert.ok(stats.errors.length <= ERROR_BOUND, `errors ${stats.errors.length} > bound ${ERROR_BOUND}`);
  assert.ok(stats.total >= 200, `only ${stats.total} requests`);

  // JWKS: each replica fetched once at start-up (TTL 600 s > this test) and never again: every token
  // is signed by a key it already had, so no unknown-kid refetch was due (those are rate-limited).
  const emulatorStats = await emulator.admin('stats');
  for (const [i, b] of before.entries()) {
    assert.equal(b.ok, 1, `replica ${i}: ${b.ok} good JWKS fetches before the load`);
    assert.equal(b.error, 0);
  }
  for (const i of [1, 2]) {
    const now = await jwksFetches(replicas[i].adminUrl);
    assert.equal(now.ok, 1, `replica ${i} refetched the JWKS during the load`);
    assert.equal(now.error, 0);
    assert.ok(now.m.get('fastmcp_http_requests_total{route="mcp",method="POST",status="200"}') > 0, `replica ${i} served no request`);
  }
  console.log(`replicas: emulator stats ${JSON.stringify(emulatorStats)}`);
  assert.equal(emulatorStats.jwks_fetches, 3, 'one JWKS fetch per replica, none during the load');
  console.log(`replicas: whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(Date.now() - started < 60000, 'the test must finish within 60 s');
});
