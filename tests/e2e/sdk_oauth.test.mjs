// e2e: the official MCP TypeScript SDK as the client of `fastmcp run` protected by AuthKitProvider,
// with the local AuthKit emulator as the authorization server. Run by ctest (label e2e) through
// run-node-test.sh, which skips when node_modules is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { AutoApproveOAuthProvider, decodeJwt, freePort, startEmulator, startFastmcp } from './harness.mjs';

const SUBJECT = 'user_01E2ETESTSUBJECT0000000000';
let emulator;
let server;

before(async () => {
  emulator = await startEmulator(['--user', `${SUBJECT},e2e@example.com`]);
  server = await startFastmcp({ issuer: emulator.issuer, port: await freePort() });
});
after(async () => {
  await server?.stop();
  await emulator?.stop();
});

// Runs the SDK's OAuth: connect -> 401 -> auth() (discovery, DCR, PKCE) -> redirectToAuthorization
// -> UnauthorizedError -> finishAuth(code) -> connect again with the token.
async function connectWithOAuth(url, provider) {
  const first = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await assert.rejects(first.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider })),
    (e) => e instanceof UnauthorizedError);
  assert.ok(provider.pendingCode, 'redirectToAuthorization received a code');
  await new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }).finishAuth(provider.pendingCode);
  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return client;
}

test('unauthenticated: raw POST gets 401 with a bare Bearer challenge naming the resource metadata', async () => {
  const res = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate');
  assert.match(challenge, /^Bearer /);
  assert.ok(challenge.includes(`resource_metadata="${server.base}/.well-known/oauth-protected-resource/mcp"`), challenge);
  assert.doesNotMatch(challenge, /error=/); // no credentials: a bare challenge
});

test('unauthenticated: the SDK client connect fails with 401', async () => {
  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl))),
    (e) => /401|Unauthorized/i.test(`${e?.code ?? ''} ${e?.message ?? ''} ${e?.constructor?.name ?? ''}`));
});

test('SDK OAuth (auth()/OAuthClientProvider, DCR, PKCE S256, resource) gets a token; ping, tools/list, whoami work', async () => {
  const before = await emulator.admin('stats');
  const provider = new AutoApproveOAuthProvider();
  const client = await connectWithOAuth(`${server.mcpUrl}/`, provider);
  try {
    // The SDK did dynamic registration and a PKCE S256 authorization request with our resource.
    assert.ok(provider.clientInformation()?.client_id?.startsWith('client_'));
    const authz = provider.authorizationRequests[0];
    assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authz.searchParams.get('code_challenge'));
    assert.equal(authz.searchParams.get('resource'), server.mcpUrl);
    const after = await emulator.admin('stats');
    assert.equal(after.registrations, before.registrations + 1);
    assert.equal(after.tokens_issued, before.tokens_issued + 1);

    const { payload } = decodeJwt(provider.tokens().access_token);
    assert.equal(payload.aud, server.mcpUrl);
    assert.equal(payload.iss, emulator.issuer);

    assert.deepEqual(await client.ping(), {});
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'whoami'), JSON.stringify(tools));
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    assert.notEqual(who.isError, true);
    const seen = who.structuredContent ?? JSON.parse(who.content[0].text);
    assert.equal(seen.subject, SUBJECT);
    assert.ok(!JSON.stringify(who).includes(provider.tokens().access_token), 'whoami never returns the raw token');
  } finally {
    await client.close();
  }
});

test('key rotation mid-session: after the emulator rotates, the next request with a new token succeeds', async () => {
  const provider = new AutoApproveOAuthProvider();
  const client = await connectWithOAuth(server.mcpUrl, provider);
  try {
    const oldKid = decodeJwt(provider.tokens().access_token).header.kid;
    await client.ping(); // the server now has the first key cached
    const rotated = await emulator.admin('rotate-keys');
    assert.notEqual(rotated.current_kid, oldKid);
    // The SDK refreshes with its refresh token; the new token is signed by the new key.
    assert.equal(await auth(provider, { serverUrl: server.mcpUrl }), 'AUTHORIZED');
    const newKid = decodeJwt(provider.tokens().access_token).header.kid;
    assert.equal(newKid, rotated.current_kid);
    // Same client, same server process: the unknown kid makes the server refetch the JWKS.
    assert.deepEqual(await client.ping(), {});
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    assert.equal((who.structuredContent ?? JSON.parse(who.content[0].text)).subject, SUBJECT);
  } finally {
    await client.close();
  }
});
