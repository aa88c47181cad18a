// e2e (issue 15, replicas): two `fastmcp run` replicas with OIDCProxy in front of the emulator's
// OIDC upstream (no DCR, a fixed client), sharing one redis-server (STORAGE=redis://...), behind
// nginx in plain round robin (no sticky routing). The official TS SDK client's whole flow crosses
// replicas; 20 concurrent refreshes with one refresh token, spread over both replicas, give exactly
// one success; a replica SIGKILLed after /authorize stored the transaction (and after it issued
// tokens) loses nothing: the flow completes on the other one and its tokens still work there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  ConsentingOAuthProvider, REDIS_SERVER, connectWithOAuth, freePort, parseMetrics, retryUntil, startEmulator, startFastmcp, startRedis,
} from './harness.mjs';
import { NGINX, servedBy, startNginx } from './load_balancer.mjs';

const SUBJECT = 'user_01PROXYREPLICASUBJECT000000';
const UP_ID = 'up-client';
const UP_SECRET = 'up-secret-0123456789';
const OAUTH_STEPS = ['/register', '/authorize', '/consent', '/auth/callback', '/token'];
const RACERS = 20;

const running = [];
after(async () => { for (const p of running.reverse()) await p.stop(); });

const portOf = (server) => Number(new URL(server.base).port);

// Requests a replica answered on `route` with a status below 400 (its /metrics counters).
async function served(server, route) {
  const m = parseMetrics(await (await fetch(`${server.adminUrl}/metrics`)).text());
  let n = 0;
  for (const [k, v] of m) {
    const status = k.match(new RegExp(`^fastmcp_http_requests_total\\{route="${route}",method="\\w+",status="(\\d+)"\\}$`))?.[1];
    if (status && Number(status) < 400) n += v;
  }
  return n;
}

const rpc = (url, token, method, params = undefined) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params ? { params } : {}) }),
});

const refresh = (base, refreshToken, clientId) => fetch(`${base}/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
});

async function whoamiSubject(client) {
  const who = await client.callTool({ name: 'whoami', arguments: {} });
  assert.notEqual(who.isError, true, JSON.stringify(who));
  return (who.structuredContent ?? JSON.parse(who.content[0].text)).subject;
}

test('OIDCProxy replicas on one Redis behind round-robin nginx: cross-replica flow, refresh race, SIGKILL mid-flow',
  { skip: (!NGINX && 'nginx is not installed') || (!REDIS_SERVER && 'redis-server is not installed'), timeout: 150000 }, async () => {
    const emulator = await startEmulator(['--mode', 'oidc', '--user', `${SUBJECT},e2e@example.com`,
      '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
    running.push(emulator);
    const redis = await startRedis();
    running.push(redis);
    const lbPort = await freePort();
    const lbBase = `http://127.0.0.1:${lbPort}`;
    const P = 'FASTMCP_SERVER_AUTH_OIDCPROXY_';
    // Every replica is the same authorization server and resource: BASE_URL is nginx's URL.
    const replicas = [];
    for (let i = 0; i < 2; i++) {
      const r = await startFastmcp({
        port: await freePort(), auth: false, extraArgs: ['--admin-port', '0', '--log-level', 'warning'],
        extraEnv: {
          FASTMCP_SERVER_AUTH: 'fastmcp.server.auth.providers.oidc_proxy.OIDCProxy',
          [`${P}CONFIG_URL`]: `${emulator.issuer}/.well-known/openid-configuration`,
          [`${P}CLIENT_ID`]: UP_ID,
          [`${P}CLIENT_SECRET`]: UP_SECRET,
          [`${P}BASE_URL`]: lbBase,
          [`${P}JWT_SIGNING_KEY`]: 'e2e-replicas-signing-key-0123456789',
          [`${P}STORAGE`]: redis.url(3),
        },
      });
      running.push(r);
      replicas.push(r);
    }
    for (const r of replicas)
      await retryUntil(async () => assert.equal((await fetch(`${r.adminUrl}/readyz`)).status, 200), { timeoutMs: 30000, intervalMs: 100 });
    const lb = await startNginx(lbPort, replicas.map(portOf));
    running.push(lb);
    const mcpUrl = `${lb.base}/mcp`;
    const name = (port) => `replica ${replicas.findIndex((r) => portOf(r) === port)}`;

    // 1. The SDK's whole flow through nginx: DCR, authorize + consent, upstream, callback, token, then MCP.
    const provider = new ConsentingOAuthProvider();
    const client = await connectWithOAuth(mcpUrl, provider);
    assert.deepEqual(await client.ping(), {});
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'whoami'));
    assert.equal(await whoamiSubject(client), SUBJECT);
    await client.close();
    // Where each OAuth step landed (nginx's access log: the line is written once the answer is sent).
    const steps = await retryUntil(() => {
      const s = lb.steps().filter((x) => OAUTH_STEPS.includes(x.path));
      assert.deepEqual(s.map((x) => x.path), OAUTH_STEPS, JSON.stringify(lb.steps()));
      return s;
    }, { timeoutMs: 10000, intervalMs: 50 });
    console.log(`proxy replicas: flow steps ${steps.map((x) => `${x.path} ${x.status} -> ${name(x.upstreams.at(-1))}`).join(', ')}`);
    for (const s of steps) assert.ok(s.status < 400, `${s.path} answered ${s.status}`);
    assert.equal(new Set(steps.map((x) => x.upstreams.at(-1))).size, 2, 'the OAuth steps landed on both replicas');
    // A step that needs what the step before it stored (client -> transaction -> code) on the other replica.
    const handoffs = steps.slice(1).filter((x, i) => x.upstreams.at(-1) !== steps[i].upstreams.at(-1));
    assert.ok(handoffs.length >= 1, 'at least one step used state stored by the other replica');
    for (const r of replicas) {
      assert.ok(await served(r, 'mcp') > 0, `${r.base} served no MCP request`);
      assert.ok(await served(r, 'provider') > 0, `${r.base} served no OAuth step`);
    }

    // 2. 20 concurrent refreshes with the same refresh token, through nginx onto both replicas.
    const clientId = provider.clientInformation().client_id;
    const oldRefresh = provider.tokens().refresh_token;
    const answers = await Promise.all(Array.from({ length: RACERS }, async () => {
      const res = await refresh(lb.base, oldRefresh, clientId);
      return { status: res.status, by: servedBy(res), body: await res.json() };
    }));
    const byStatus = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    const racedOn = new Set(answers.map((a) => a.by));
    console.log(`proxy replicas: ${RACERS} concurrent refreshes: ${JSON.stringify(byStatus)}, served by ${[...racedOn].map(name).join(' and ')}`);
    assert.equal(racedOn.size, 2, 'the refreshes were spread over both replicas');
    const winners = answers.filter((a) => a.status === 200);
    assert.equal(winners.length, 1, JSON.stringify(answers.map((a) => [a.status, a.body.error])));
    for (const a of answers.filter((x) => x.status !== 200)) {
      assert.equal(a.status, 400);
      assert.equal(a.body.error, 'invalid_grant');
    }
    const won = winners[0];
    assert.ok(won.body.access_token && won.body.refresh_token);
    assert.equal((await rpc(mcpUrl, won.body.access_token, 'ping')).status, 200);

    // 3. SIGKILL the replica that issued those tokens, right after it showed a new client's consent
    //    page (the transaction and CSRF record are stored, the callback has not happened).
    const victim = replicas.find((r) => portOf(r) === won.by);
    const survivor = replicas.find((r) => r !== victim);
    let killedAfterAuthorize = false;
    class KillAfterAuthorize extends ConsentingOAuthProvider {
      async openConsentPage(url) {
        // Round robin: at most a few tries until /authorize lands on the victim.
        for (let i = 0; i < 10; i++) {
          const res = await fetch(url, { redirect: 'manual' });
          if (servedBy(res) !== portOf(victim)) { await res.arrayBuffer(); continue; }
          victim.child.kill('SIGKILL');
          await once(victim.child, 'exit');
          killedAfterAuthorize = true;
          return res;
        }
        throw new Error('/authorize never landed on the victim');
      }
    }
    const second = new KillAfterAuthorize();
    const mark = lb.steps().length;
    const client2 = await connectWithOAuth(mcpUrl, second);
    assert.ok(killedAfterAuthorize);
    assert.equal(await whoamiSubject(client2), SUBJECT);
    assert.deepEqual(await client2.ping(), {});
    await client2.close();
    const after = lb.steps().slice(mark);
    const finished = after.filter((x) => ['/consent', '/auth/callback', '/token'].includes(x.path));
    console.log(`proxy replicas: after the kill ${finished.map((x) => `${x.path} ${x.status} via ${x.upstreams.map(name).join(' -> ')}`).join(', ')}`);
    for (const s of finished) assert.equal(s.upstreams.at(-1), portOf(survivor), `${s.path} after the kill`);
    // Tokens the dead replica issued before the kill: the access token, then the refresh token.
    assert.equal((await rpc(mcpUrl, won.body.access_token, 'ping')).status, 200);
    const res = await refresh(lb.base, won.body.refresh_token, clientId);
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(servedBy(res), portOf(survivor));
    const echoed = await rpc(mcpUrl, body.access_token, 'tools/call', { name: 'echo', arguments: { text: 'after the kill' } });
    assert.equal(echoed.status, 200);
    assert.match(await echoed.text(), /after the kill/);
  });
