// e2e: AuthKit (the emulator) is down when `fastmcp run` starts, then comes up: requests recover
// with no restart. The token is obtained from the emulator directly (same OAuth steps the SDK takes)
// so that the server never saw the issuer up before the first authenticated request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort, retryUntil, startEmulator, startFastmcp } from './harness.mjs';

const running = [];
after(async () => { for (const p of running.reverse()) await p.stop(); });

async function tokenFromEmulator(issuer, resource) {
  const redirect = 'http://127.0.0.1:1/callback';
  const reg = await (await fetch(`${issuer}/oauth2/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [redirect], token_endpoint_auth_method: 'none' }),
  })).json();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${issuer}/oauth2/authorize`);
  Object.entries({ response_type: 'code', client_id: reg.client_id, redirect_uri: redirect, code_challenge: challenge,
    code_challenge_method: 'S256', state: 's', resource }).forEach(([k, v]) => url.searchParams.set(k, v));
  const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')).searchParams.get('code');
  const tok = await (await fetch(`${issuer}/oauth2/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier,
      client_id: reg.client_id, resource }),
  })).json();
  assert.ok(tok.access_token, JSON.stringify(tok));
  return tok.access_token;
}

test('AuthKit down at start-up, then up: requests recover with no restart', async () => {
  const emulator = await startEmulator();
  running.push(emulator);
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  const token = await tokenFromEmulator(emulator.issuer, resource);
  await emulator.admin('down');

  const server = await startFastmcp({ issuer: emulator.issuer, port });
  running.push(server);
  const headers = { Authorization: `Bearer ${token}` };
  const ping = () => fetch(server.mcpUrl, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });

  // While AuthKit is down, a valid token cannot be checked: the server fails closed.
  const down = await ping();
  assert.ok([401, 503].includes(down.status), `status ${down.status} while the issuer is down`);
  assert.ok(!(await down.text()).includes(token));
  const asMeta = await fetch(`${server.base}/.well-known/oauth-authorization-server`);
  assert.equal(asMeta.status, 502);

  await emulator.admin('up');
  // Recovery without a restart (the server may rate-limit its refetches for a few seconds).
  await retryUntil(async () => assert.equal((await ping()).status, 200), { timeoutMs: 30000, intervalMs: 500 });
  const meta = await retryUntil(async () => {
    const r = await fetch(`${server.base}/.well-known/oauth-authorization-server`);
    assert.equal(r.status, 200);
    return r.json();
  });
  assert.equal(meta.issuer, emulator.issuer);

  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers } }));
  assert.deepEqual(await client.ping(), {});
  await client.close();
});

test('AuthKit not running at all at start-up (connection refused), then started: requests recover with no restart', async () => {
  const emulatorPort = await freePort();
  const issuer = `http://127.0.0.1:${emulatorPort}`;
  const port = await freePort();
  const server = await startFastmcp({ issuer, port });
  running.push(server);

  // Metadata cannot be proxied while the issuer is unreachable; the challenge still works.
  assert.equal((await fetch(`${server.base}/.well-known/oauth-authorization-server`)).status, 502);
  const bare = await fetch(server.mcpUrl, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(bare.status, 401);

  const emulator = await startEmulator(['--port', String(emulatorPort)]);
  running.push(emulator);
  assert.equal(emulator.issuer, issuer);
  const token = await tokenFromEmulator(issuer, server.mcpUrl);
  const client = await retryUntil(async () => {
    const c = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl),
      { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return c;
  }, { timeoutMs: 30000, intervalMs: 500 });
  assert.deepEqual(await client.ping(), {});
  await client.close();
});
