// Shared e2e plumbing: start the emulator and `fastmcp run` as real processes on loopback, wait for
// their readiness lines, and an OAuthClientProvider for the MCP TypeScript SDK that completes the
// emulator's auto-approved authorization by reading the redirect instead of opening a browser.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const buildDir = process.env.FASTMCP_BUILD_DIR ?? path.join(here, '..', '..', 'build');
export const FASTMCP_BIN = process.env.FASTMCP_BIN ?? path.join(buildDir, 'bin', 'fastmcp');
export const EMULATOR_BIN = process.env.EMULATOR_BIN ?? path.join(buildDir, 'bin', 'fastmcp-authkit-emulator');
export const AUTHKIT_PROVIDER = 'fastmcp.server.auth.providers.workos.AuthKitProvider';

const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

// Starts `cmd args` and resolves once a stdout line matches `ready` (a RegExp); the match is returned.
export async function startProcess(cmd, args, { env = {}, ready, timeoutMs = 30000, name = cmd } = {}) {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const child = spawn(cmd, args, { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 65536) stderr = stderr.slice(-32768); });
  let out = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no readiness line after ${timeoutMs} ms\n${out}\n${stderr}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(ready);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) before it was ready\n${stderr}`)); });
  });
  return {
    child,
    match,
    stdout: () => out,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export async function startEmulator(extraArgs = []) {
  const p = await startProcess(EMULATOR_BIN, ['--port', '0', ...extraArgs], {
    ready: /AuthKit emulator listening on (http:\/\/127\.0\.0\.1:\d+)/, name: 'fastmcp-authkit-emulator',
  });
  p.issuer = p.match[1];
  p.admin = async (action, query = '') => {
    const r = await fetch(`${p.issuer}/__admin/${action}${query}`, { method: action === 'stats' ? 'GET' : 'POST' });
    return r.json();
  };
  return p;
}

// A port that was free a moment ago. `fastmcp run` needs its public BASE_URL before it starts (the
// token audience is BASE_URL/mcp), so the test picks the port rather than reading it back.
export async function freePort() {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// extraArgs: more `fastmcp run` flags; with --admin-port, p.adminUrl is the admin base URL.
export async function startFastmcp({ issuer, port, auth = true, extraEnv = {}, extraArgs = [] }) {
  const base = `http://127.0.0.1:${port}`;
  // Only what this test sets: nothing inherited from the caller's FASTMCP_SERVER_AUTH*.
  const env = { FASTMCP_ENV_FILE: undefined };
  for (const k of Object.keys(process.env)) if (k.startsWith('FASTMCP_SERVER_AUTH')) env[k] = undefined;
  if (auth) {
    env.FASTMCP_SERVER_AUTH = AUTHKIT_PROVIDER;
    env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN = issuer;
    env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL = base;
  }
  Object.assign(env, extraEnv);
  const p = await startProcess(FASTMCP_BIN, ['run', '--transport', 'http', '--host', '127.0.0.1', '--port', String(port), ...extraArgs], {
    env, ready: /Listening on (http:\/\/\S+\/mcp)/, name: 'fastmcp run',
  });
  p.adminUrl = p.stdout().match(/Admin on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
  p.base = base;
  p.mcpUrl = `${base}/mcp`;
  return p;
}

// OAuthClientProvider (MCP TypeScript SDK) kept in memory. redirectToAuthorization fetches the
// authorization URL without following redirects; the emulator approves at once and answers 302 to
// our redirect URI with code and state, which we check and keep for transport.finishAuth(code).
export class AutoApproveOAuthProvider {
  constructor(redirectUrl = 'http://127.0.0.1:1/callback') {
    this._redirectUrl = redirectUrl;
    this.authorizationRequests = [];
    this.pendingCode = undefined;
  }
  get redirectUrl() { return this._redirectUrl; }
  get clientMetadata() {
    return {
      client_name: 'fastmcp-cpp e2e (MCP TypeScript SDK)',
      redirect_uris: [this._redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { this._state = randomUUID(); return this._state; }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) { this._tokens = tokens; }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  async redirectToAuthorization(url) {
    this.authorizationRequests.push(new URL(url));
    const res = await fetch(url, { redirect: 'manual' });
    if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
    const back = new URL(res.headers.get('location'));
    if (`${back.origin}${back.pathname}` !== this._redirectUrl) throw new Error(`redirected to ${back.origin}${back.pathname}`);
    if (back.searchParams.get('state') !== this._state) throw new Error('state mismatch');
    if (back.searchParams.get('error')) throw new Error(`authorization error: ${back.searchParams.get('error')}`);
    this.pendingCode = back.searchParams.get('code');
  }
}

// For the OAuth proxy: follows the browser part of the flow, consent page -> POST /consent ->
// upstream (approves at once) -> the proxy's callback -> the client's redirect URI with the code.
// openConsentPage(url) is the GET /authorize a subclass may repeat or intercept.
export class ConsentingOAuthProvider extends AutoApproveOAuthProvider {
  async openConsentPage(url) { return fetch(url, { redirect: 'manual' }); }
  async redirectToAuthorization(url) {
    this.authorizationRequests.push(new URL(url));
    let res = await this.openConsentPage(url);
    assert.equal(res.status, 200, 'the proxy shows a consent page to a new client');
    const html = await res.text();
    const field = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))[1];
    const cookie = res.headers.get('set-cookie').split(';')[0];
    res = await fetch(new URL('/consent', url), {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ transaction: field('transaction'), csrf: field('csrf'), action: 'approve' }),
    });
    assert.equal(res.status, 302, `consent: ${res.status} ${await res.clone().text()}`);
    this.upstreamRequest = new URL(res.headers.get('location'));
    res = await fetch(this.upstreamRequest, { redirect: 'manual' }); // the upstream approves at once
    assert.equal(res.status, 302);
    res = await fetch(res.headers.get('location'), { redirect: 'manual' }); // the proxy's callback
    assert.equal(res.status, 302, `callback: ${res.status} ${await res.clone().text()}`);
    const back = new URL(res.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, this._redirectUrl);
    assert.equal(back.searchParams.get('state'), this._state);
    assert.equal(back.searchParams.get('error'), null);
    this.pendingCode = back.searchParams.get('code');
  }
}

// The SDK's whole OAuth flow: the first connect is refused (401 -> DCR -> authorization), the
// code is redeemed with finishAuth, and a second client connects with the tokens.
export async function connectWithOAuth(url, provider) {
  const first = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await assert.rejects(first.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider })),
    (e) => e instanceof UnauthorizedError);
  await new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }).finishAuth(provider.pendingCode);
  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }));
  return client;
}

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

// redis-server on a loopback port, no persistence; url(db) is a STORAGE value. A port taken between
// freePort() and redis-server's bind is retried on another one.
export async function startRedis() {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const p = await startProcess(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--daemonize', 'no'], { ready: /Ready to accept connections/, name: 'redis-server' });
      p.port = port;
      p.url = (db = 0) => `redis://127.0.0.1:${port}/${db}`;
      return p;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

// JWT header/payload, decoded for assertions (no verification: the server does that).
export function decodeJwt(token) {
  const [h, p] = token.split('.');
  const dec = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: dec(h), payload: dec(p) };
}

export async function retryUntil(fn, { timeoutMs = 20000, intervalMs = 250 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try { return await fn(); } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw last;
}

// An access token from the emulator's /__admin/mint (no OAuth flow), for audience `aud`.
export async function mint(issuer, aud, sub = 'user_01OPSTESTSUBJECT00000000000') {
  const r = await fetch(`${issuer}/__admin/mint`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, aud }),
  });
  const body = await r.json();
  if (!body.access_token) throw new Error(`mint: ${JSON.stringify(body)}`);
  return body.access_token;
}

// Samples of a Prometheus text exposition: "name{labels}" -> value.
export function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/);
    if (!m) throw new Error(`unreadable metrics line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

