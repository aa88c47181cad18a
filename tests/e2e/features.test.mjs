// e2e: what a server module's handler reaches through the host (ABI 1.3), seen by the official
// MCP TypeScript SDK client: logging and progress before the result on the POST's SSE stream,
// cancellation, elicitation and sampling round trips, a clear error in stateless mode, and a
// per-tool scope answered with 403 insufficient_scope then success after the SDK's step-up.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AutoApproveOAuthProvider, decodeJwt, freePort, startEmulator, startFastmcp } from './harness.mjs';

const MODULE = process.env.FEATURES_MODULE;
if (!MODULE) throw new Error('FEATURES_MODULE (the path of features_module.so) is not set');

async function connect(url, capabilities = {}) {
  const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

// Raw POST of one request; returns the SSE events' JSON payloads in arrival order.
async function postEvents(url, sessionId, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const text = await res.text();
  return text.split('\n').filter((l) => l.startsWith('data: ') && l.length > 6).map((l) => JSON.parse(l.slice(6)));
}

describe('stateful, auth off', () => {
  let server;
  before(async () => {
    server = await startFastmcp({ port: await freePort(), auth: false, extraArgs: [MODULE, '--stateful'] });
  });
  after(async () => { await server?.stop(); });

  test('progress and logging arrive before the result, on the POST\'s SSE stream', async () => {
    const client = await connect(server.mcpUrl);
    const order = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => order.push(`log:${n.params.data.step}`));
    await client.setLoggingLevel('info');
    const result = await client.callTool({ name: 'chatty', arguments: {} }, undefined, {
      onprogress: (p) => order.push(`progress:${p.progress}/${p.total}`),
    });
    order.push('result');
    assert.equal(result.content[0].text, 'chatty done');
    assert.deepEqual(order, ['log:0', 'progress:1/3', 'log:1', 'progress:2/3', 'log:2', 'progress:3/3', 'result']);

    // The same on the wire: one SSE response, notifications first, the result last.
    const sessionId = client.transport.sessionId;
    const events = await postEvents(server.mcpUrl, sessionId, {
      jsonrpc: '2.0', id: 'raw-1', method: 'tools/call',
      params: { name: 'chatty', arguments: {}, _meta: { progressToken: 'tok' } },
    });
    assert.deepEqual(events.map((e) => e.method ?? `result:${e.id}`), [
      'notifications/message', 'notifications/progress', 'notifications/message', 'notifications/progress',
      'notifications/message', 'notifications/progress', 'result:raw-1']);
    assert.equal(events[1].params.progressToken, 'tok');

    // Below the session's level: no log lines (progress still comes).
    await client.setLoggingLevel('error');
    const quiet = await postEvents(server.mcpUrl, sessionId, {
      jsonrpc: '2.0', id: 'raw-2', method: 'tools/call', params: { name: 'chatty', arguments: {}, _meta: { progressToken: 't2' } },
    });
    assert.equal(quiet.filter((e) => e.method === 'notifications/message').length, 0);
    assert.equal(quiet.filter((e) => e.method === 'notifications/progress').length, 3);
    await client.close();
  });

  test('cancellation reaches the running handler', async () => {
    const client = await connect(server.mcpUrl);
    const before = Number((await client.callTool({ name: 'cancelled_calls', arguments: {} })).content[0].text);
    const abort = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort('user gave up'), 200);
    await assert.rejects(call);
    // The SDK sent notifications/cancelled; the handler sees is_cancelled() within its 10 ms poll.
    let after = before;
    for (let i = 0; i < 100 && after === before; ++i) {
      await new Promise((r) => setTimeout(r, 20));
      after = Number((await client.callTool({ name: 'cancelled_calls', arguments: {} })).content[0].text);
    }
    assert.equal(after, before + 1);
    await client.close();
  });

  test('elicitation and sampling round-trip through the client', async () => {
    const client = await connect(server.mcpUrl, { elicitation: {}, sampling: {} });
    let elicited;
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      elicited = req.params;
      return { action: 'accept', content: { name: 'Ada' } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant', model: 'e2e-model', stopReason: 'endTurn',
      content: { type: 'text', text: `hi (${req.params.messages[0].content.text})` },
    }));
    const e = await client.callTool({ name: 'ask_user', arguments: {} });
    assert.notEqual(e.isError, true, JSON.stringify(e));
    assert.equal(elicited.message, 'Your name?');
    assert.deepEqual(elicited.requestedSchema.required, ['name']);
    assert.deepEqual(JSON.parse(e.content[0].text), { status: 0, answer: { action: 'accept', content: { name: 'Ada' } } });

    const s = await client.callTool({ name: 'ask_llm', arguments: {} });
    assert.notEqual(s.isError, true, JSON.stringify(s));
    const answer = JSON.parse(s.content[0].text).answer;
    assert.equal(answer.model, 'e2e-model');
    assert.equal(answer.content.text, 'hi (Say hi)');
    await client.close();
  });

  test('a client without the elicitation capability gets a clear tool error', async () => {
    const client = await connect(server.mcpUrl);
    const e = await client.callTool({ name: 'ask_user', arguments: {} });
    assert.equal(e.isError, true);
    const body = JSON.parse(e.content[0].text);
    assert.equal(body.status, 3);
    assert.match(body.answer.message, /elicitation capability/);
    await client.close();
  });
});

describe('stateless, auth off', () => {
  let server;
  before(async () => { server = await startFastmcp({ port: await freePort(), auth: false, extraArgs: [MODULE] }); });
  after(async () => { await server?.stop(); });

  test('elicitation answers a clear error that names stateless mode', async () => {
    const client = await connect(server.mcpUrl, { elicitation: {} });
    const e = await client.callTool({ name: 'ask_user', arguments: {} });
    assert.equal(e.isError, true);
    assert.match(JSON.parse(e.content[0].text).answer.message, /stateless/);
    await client.close();
  });
});

describe('per-tool scopes with AuthKit and the emulator', () => {
  let emulator;
  let server;
  before(async () => {
    emulator = await startEmulator(['--scopes', 'openid profile email offline_access notes:admin']);
    server = await startFastmcp({ issuer: emulator.issuer, port: await freePort(), extraArgs: [MODULE] });
  });
  after(async () => {
    await server?.stop();
    await emulator?.stop();
  });

  const post = (token, body) => fetch(server.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

  test('a hidden tool is not listed and answers 403 insufficient_scope naming token + required scopes', async () => {
    const minted = async (scope) => {
      const r = await fetch(`${emulator.issuer}/__admin/mint`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'user_scopes', aud: server.mcpUrl, scope }),
      });
      return (await r.json()).access_token;
    };
    const reader = await minted('openid profile');
    const list = await (await post(reader, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).json();
    assert.ok(!list.result.tools.some((t) => t.name === 'admin_only'));
    const denied = await post(reader, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'admin_only', arguments: {} } });
    assert.equal(denied.status, 403);
    const challenge = denied.headers.get('www-authenticate');
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="openid profile notes:admin"/);
    assert.ok(challenge.includes(`resource_metadata="${server.base}/.well-known/oauth-protected-resource/mcp"`), challenge);

    const admin = await minted('openid notes:admin');
    const list2 = await (await post(admin, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).json();
    assert.ok(list2.result.tools.some((t) => t.name === 'admin_only'));
    const ok = await (await post(admin, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'admin_only', arguments: {} } })).json();
    assert.equal(ok.result.content[0].text, 'admin secrets');
  });

  test('the SDK client steps up: 403, re-authorization with the challenged scope, then success', async () => {
    // Asks for 'openid profile' first and keeps no refresh token: the SDK's auth() would otherwise
    // refresh (which cannot widen a grant) instead of sending a new authorization request.
    class ScopedProvider extends AutoApproveOAuthProvider {
      get clientMetadata() { return { ...super.clientMetadata, scope: 'openid profile' }; }
      saveTokens(tokens) { const { refresh_token: _dropped, ...rest } = tokens; super.saveTokens(rest); }
    }
    const provider = new ScopedProvider();
    const url = new URL(server.mcpUrl);
    const first = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
    await assert.rejects(first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider })),
      (e) => e instanceof UnauthorizedError);
    await new StreamableHTTPClientTransport(url, { authProvider: provider }).finishAuth(provider.pendingCode);
    assert.equal(decodeJwt(provider.tokens().access_token).payload.scope, 'openid profile');

    let transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const client = new Client({ name: 'fastmcp-cpp-e2e', version: '0.0.0' });
    await client.connect(transport);
    // The call gets 403; the SDK re-authorizes with scope="openid profile notes:admin" (our
    // provider follows the redirect and keeps the code), which ends in UnauthorizedError.
    provider.pendingCode = undefined;
    await assert.rejects(client.callTool({ name: 'admin_only', arguments: {} }), (e) => e instanceof UnauthorizedError);
    const stepUp = provider.authorizationRequests.at(-1);
    assert.equal(stepUp.searchParams.get('scope'), 'openid profile notes:admin');
    assert.ok(provider.pendingCode);
    await transport.finishAuth(provider.pendingCode);
    assert.match(decodeJwt(provider.tokens().access_token).payload.scope, /notes:admin/);
    const result = await client.callTool({ name: 'admin_only', arguments: {} });
    assert.equal(result.content[0].text, 'admin secrets');
    await client.close();
  });
});
