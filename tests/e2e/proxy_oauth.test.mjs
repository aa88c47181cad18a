// e2e: the official MCP TypeScript SDK against `fastmcp run` with the OAuth proxy modules in front
// of the emulator playing an upstream WITHOUT DCR: OIDCProxy (discovery, id_token) and
// GitHubProvider (opaque tokens, /user). The SDK registers with the proxy (DCR), the "browser"
// below approves the consent page (CSRF field + transaction cookie), the upstream signs the user
// in with the proxy's fixed client, and the SDK redeems the proxy's code with its PKCE verifier.
import { test, after } from 'node:test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { ConsentingOAuthProvider, connectWithOAuth, decodeJwt, freePort, startEmulator, startFastmcp } from './harness.mjs';

const SUBJECT = 'user_01PROXYE2ESUBJECT000000000';
const UP_ID = 'up-client';
const UP_SECRET = 'up-secret-0123456789';
const started = [];
after(async () => { for (const p of started.reverse()) await p.stop(); });

async function proxyServer(provider, prefix, upstreamEnv, { port, storage = 'memory' } = {}) {
  port ??= await freePort();
  const extraEnv = {
    FASTMCP_SERVER_AUTH: `fastmcp.server.auth.providers.${provider}`,
    [`${prefix}CLIENT_ID`]: UP_ID,
    [`${prefix}CLIENT_SECRET`]: UP_SECRET,
    [`${prefix}BASE_URL`]: `http://127.0.0.1:${port}`,
    [`${prefix}JWT_SIGNING_KEY`]: 'e2e-signing-key-0123456789',
    [`${prefix}STORAGE`]: storage,
    ...upstreamEnv,
  };
  const server = await startFastmcp({ port, auth: false, extraEnv });
  started.push(server);
  return server;
}

async function flow(server, expectSubject) {
  const provider = new ConsentingOAuthProvider();
  const client = await connectWithOAuth(server.mcpUrl, provider);
  try {
    // DCR happened at the proxy, and the upstream saw the proxy's fixed client and its own PKCE.
    assert.ok(provider.clientInformation()?.client_id);
    assert.equal(provider.upstreamRequest.searchParams.get('client_id'), UP_ID);
    assert.equal(provider.upstreamRequest.searchParams.get('code_challenge_method'), 'S256');
    assert.notEqual(provider.upstreamRequest.searchParams.get('code_challenge'),
      provider.authorizationRequests[0].searchParams.get('code_challenge'));
    // The client holds the proxy's JWT, never the upstream token.
    const { payload } = decodeJwt(provider.tokens().access_token);
    assert.equal(payload.iss, server.base);
    assert.equal(payload.aud, server.mcpUrl);
    assert.ok(payload.jti);
    assert.deepEqual(await client.ping(), {});
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'whoami'));
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    assert.notEqual(who.isError, true);
    const seen = who.structuredContent ?? JSON.parse(who.content[0].text);
    if (expectSubject instanceof RegExp) assert.match(seen.subject, expectSubject);
    else assert.equal(seen.subject, expectSubject);
    // Refresh rotates: the new pair works, the old refresh token is refused.
    const oldRefresh = provider.tokens().refresh_token;
    assert.equal(await auth(provider, { serverUrl: server.mcpUrl }), 'AUTHORIZED');
    assert.notEqual(provider.tokens().refresh_token, oldRefresh);
    assert.deepEqual(await client.ping(), {});
    const reuse = await fetch(`${server.base}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefresh,
        client_id: provider.clientInformation().client_id }),
    });
    assert.equal(reuse.status, 400);
    assert.equal((await reuse.json()).error, 'invalid_grant');
  } finally {
    await client.close();
  }
}

test('OIDCProxy in front of a local OIDC upstream without DCR: DCR + consent + PKCE, ping, tools/list, whoami', async () => {
  const emulator = await startEmulator(['--mode', 'oidc', '--user', `${SUBJECT},e2e@example.com`,
    '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
  started.push(emulator);
  const meta = await (await fetch(`${emulator.issuer}/.well-known/openid-configuration`)).json();
  assert.equal(meta.registration_endpoint, undefined, 'the upstream has no DCR');
  const server = await proxyServer('oidc_proxy.OIDCProxy', 'FASTMCP_SERVER_AUTH_OIDCPROXY_', {
    FASTMCP_SERVER_AUTH_OIDCPROXY_CONFIG_URL: `${emulator.issuer}/.well-known/openid-configuration`,
  });
  await flow(server, SUBJECT);
});

test('GitHubProvider in front of a local GitHub-like upstream: opaque tokens, /user, the same flow', async () => {
  const emulator = await startEmulator(['--mode', 'github', '--user', `${SUBJECT},octo@example.com`,
    '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
  started.push(emulator);
  const server = await proxyServer('github.GitHubProvider', 'FASTMCP_SERVER_AUTH_GITHUB_', {
    FASTMCP_SERVER_AUTH_GITHUB_AUTHORIZATION_ENDPOINT: `${emulator.issuer}/login/oauth/authorize`,
    FASTMCP_SERVER_AUTH_GITHUB_TOKEN_ENDPOINT: `${emulator.issuer}/login/oauth/access_token`,
    FASTMCP_SERVER_AUTH_GITHUB_API_BASE_URL: emulator.issuer,
  });
  const user = await (await fetch(`${emulator.issuer}/user`)).json();
  assert.equal(user.message, 'Bad credentials');
  await flow(server, /^\d+$/); // GitHub user ids are numbers
});

test('restart with the SQLite store: the cached registration, access token and refresh token still work', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fastmcp-proxy-e2e-'));
  try {
    const emulator = await startEmulator(['--mode', 'oidc', '--user', `${SUBJECT},e2e@example.com`,
      '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
    started.push(emulator);
    const env = { FASTMCP_SERVER_AUTH_OIDCPROXY_CONFIG_URL: `${emulator.issuer}/.well-known/openid-configuration` };
    const storage = `sqlite://${path.join(dir, 'proxy.db')}`;
    let server = await proxyServer('oidc_proxy.OIDCProxy', 'FASTMCP_SERVER_AUTH_OIDCPROXY_', env, { storage });
    const port = Number(new URL(server.base).port);
    const provider = new ConsentingOAuthProvider();
    let client = await connectWithOAuth(server.mcpUrl, provider);
    assert.deepEqual(await client.ping(), {});
    await client.close();
    assert.equal(statSync(path.join(dir, 'proxy.db')).mode & 0o777, 0o600);
    await server.stop();
    server = await proxyServer('oidc_proxy.OIDCProxy', 'FASTMCP_SERVER_AUTH_OIDCPROXY_', env, { storage, port });
    // No new sign-in: the same client registration and tokens, then a refresh.
    const signIns = provider.authorizationRequests.length;
    client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider }));
    assert.deepEqual(await client.ping(), {});
    assert.equal(await auth(provider, { serverUrl: server.mcpUrl }), 'AUTHORIZED');
    assert.deepEqual(await client.ping(), {});
    assert.equal(provider.authorizationRequests.length, signIns);
    await client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
