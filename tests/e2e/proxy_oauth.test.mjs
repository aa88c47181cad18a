// e2e: the official MCP TypeScript SDK against `fastmcp run` with the OAuth proxy modules in front
// of the emulator playing an upstream WITHOUT DCR: OIDCProxy (discovery, id_token),
// GitHubProvider (opaque tokens, /user), GoogleProvider (opaque tokens, tokeninfo, userinfo,
// upstream revocation) and WorkOSProvider (WorkOS Connect: userinfo). Plus a Client ID Metadata
// Document client, served on loopback, walking the flow with plain HTTP requests. The SDK registers with the proxy (DCR), the "browser"
// below approves the consent page (CSRF field + transaction cookie), the upstream signs the user
// in with the proxy's fixed client, and the SDK redeems the proxy's code with its PKCE verifier.
import { test, after } from 'node:test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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

test('GoogleProvider in front of a local Google-like upstream: tokeninfo + userinfo, the same flow, upstream revocation', async () => {
  const emulator = await startEmulator(['--mode', 'google', '--user', `${SUBJECT},g@example.com`,
    '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
  started.push(emulator);
  const server = await proxyServer('google.GoogleProvider', 'FASTMCP_SERVER_AUTH_GOOGLE_', {
    FASTMCP_SERVER_AUTH_GOOGLE_AUTHORIZATION_ENDPOINT: `${emulator.issuer}/oauth2/authorize`,
    FASTMCP_SERVER_AUTH_GOOGLE_TOKEN_ENDPOINT: `${emulator.issuer}/oauth2/token`,
    FASTMCP_SERVER_AUTH_GOOGLE_TOKENINFO_ENDPOINT: `${emulator.issuer}/oauth2/tokeninfo`,
    FASTMCP_SERVER_AUTH_GOOGLE_USERINFO_ENDPOINT: `${emulator.issuer}/oauth2/userinfo`,
    FASTMCP_SERVER_AUTH_GOOGLE_REVOCATION_ENDPOINT: `${emulator.issuer}/oauth2/revoke`,
  });
  const meta = await (await fetch(`${server.base}/.well-known/oauth-authorization-server`)).json();
  assert.equal(meta.client_id_metadata_document_supported, true);
  assert.deepEqual(meta.scopes_supported, ['openid'], 'GoogleProvider requires openid by default, as FastMCP');
  await flow(server, SUBJECT);
  // A fresh sign-in, then the client revokes its refresh token: the proxy revokes the Google grant.
  const provider = new ConsentingOAuthProvider();
  const client = await connectWithOAuth(server.mcpUrl, provider);
  await client.close();
  const stats = async () => (await (await fetch(`${emulator.issuer}/__admin/stats`)).json()).revocations;
  const before = await stats();
  const revoke = await fetch(`${server.base}/revoke`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: provider.tokens().refresh_token, client_id: provider.clientInformation().client_id }),
  });
  assert.equal(revoke.status, 200);
  assert.equal(await stats(), before + 1, 'the upstream grant was revoked at the Google-like upstream');
  const res = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${provider.tokens().access_token}`, 'content-type': 'application/json',
      accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(res.status, 401, 'the revoked grant\'s access token is refused');
});

test('WorkOSProvider (FastMCP name, workos_connect.so) in front of a WorkOS Connect-like upstream: userinfo, the same flow', async () => {
  const emulator = await startEmulator(['--mode', 'oidc', '--user', `${SUBJECT},w@example.com`,
    '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
  started.push(emulator);
  const server = await proxyServer('workos.WorkOSProvider', 'FASTMCP_SERVER_AUTH_WORKOS_', {
    FASTMCP_SERVER_AUTH_WORKOS_AUTHKIT_DOMAIN: emulator.issuer,
  });
  await flow(server, SUBJECT);
});

// A tiny loopback server for Client ID Metadata Documents: path -> document.
async function documentServer(documents) {
  const srv = createServer((req, res) => {
    const doc = documents[req.url];
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
    res.end(doc ? JSON.stringify(doc) : '{}');
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  started.push({ stop: () => new Promise((resolve) => srv.close(resolve)) });
  return `http://127.0.0.1:${srv.address().port}`;
}

test('a Client ID Metadata Document client (loopback document, CIMD_ALLOW_HTTP_LOOPBACK) signs in; bad documents are refused', async () => {
  const emulator = await startEmulator(['--mode', 'oidc', '--user', `${SUBJECT},c@example.com`,
    '--fixed-client', `${UP_ID}:${UP_SECRET}:http://127.0.0.1/auth/callback`]);
  started.push(emulator);
  const redirectUri = 'http://127.0.0.1:43210/callback';
  const documents = {};
  const docBase = await documentServer(documents);
  const clientId = `${docBase}/client.json`;
  documents['/client.json'] = { client_id: clientId, client_name: 'CIMD e2e', redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
  documents['/mismatch.json'] = { client_id: `${docBase}/other.json`, redirect_uris: [redirectUri] };
  const server = await proxyServer('oidc_proxy.OIDCProxy', 'FASTMCP_SERVER_AUTH_OIDCPROXY_', {
    FASTMCP_SERVER_AUTH_OIDCPROXY_CONFIG_URL: `${emulator.issuer}/.well-known/openid-configuration`,
    FASTMCP_SERVER_AUTH_OIDCPROXY_CIMD_ALLOW_HTTP_LOOPBACK: 'true',
  });
  const verifier = 'cimd-e2e-verifier-0123456789-0123456789-0123456789';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorizeUrl = (id) => `${server.base}/authorize?${new URLSearchParams({
    response_type: 'code', client_id: id, redirect_uri: redirectUri, code_challenge: challenge,
    code_challenge_method: 'S256', state: 'cimd-state', resource: server.mcpUrl })}`;
  for (const [id, reason] of [[`${docBase}/mismatch.json`, 'cimd_client_id_mismatch'],
    [`${docBase}/missing.json`, 'cimd_fetch_failed']]) {
    const bad = await fetch(authorizeUrl(id), { redirect: 'manual' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), new RegExp(reason));
  }
  let res = await fetch(authorizeUrl(clientId), { redirect: 'manual' });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /CIMD e2e/);
  const field = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))[1];
  res = await fetch(`${server.base}/consent`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: res.headers.get('set-cookie').split(';')[0] },
    body: new URLSearchParams({ transaction: field('transaction'), csrf: field('csrf'), action: 'approve' }),
  });
  assert.equal(res.status, 302);
  res = await fetch(res.headers.get('location'), { redirect: 'manual' }); // upstream
  res = await fetch(res.headers.get('location'), { redirect: 'manual' }); // proxy callback
  const back = new URL(res.headers.get('location'));
  assert.equal(back.searchParams.get('state'), 'cimd-state');
  const token = await fetch(`${server.base}/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code'),
      client_id: clientId, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  assert.equal(token.status, 200);
  const tokens = await token.json();
  assert.equal(decodeJwt(tokens.access_token).payload.client_id, clientId);
  const ping = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json',
      accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18',
      capabilities: {}, clientInfo: { name: 'cimd-e2e', version: '0' } } }),
  });
  assert.equal(ping.status, 200);
});
