// The bench/http peer: the MCP TypeScript SDK as its documentation shows a stateless Streamable HTTP
// server (a new McpServer and transport per request), behind express and requireBearerAuth with a
// verifier built on jose's createRemoteJWKSet + jwtVerify. Issuer, audience and required scopes are
// the ones `fastmcp run` is configured with, and it serves the same `echo` tool.
//
// env: PORT (0 = the OS picks), ISSUER (the IdP; JWKS at ISSUER/oauth2/jwks), AUDIENCE,
//      REQUIRED_SCOPES (space separated), AUTH=off for the no-auth scenario.
// stdout: "Listening on http://127.0.0.1:P/mcp" once the port accepts.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as z from 'zod/v4';

const port = Number(process.env.PORT ?? 0);
const authOn = process.env.AUTH !== 'off';
const issuer = process.env.ISSUER;
const audience = process.env.AUDIENCE;
const requiredScopes = (process.env.REQUIRED_SCOPES ?? '').split(' ').filter(Boolean);
if (authOn && (!issuer || !audience)) {
  console.error('ISSUER and AUDIENCE are required (or AUTH=off)');
  process.exit(2);
}

function getServer() {
  const server = new McpServer({ name: 'ts-sdk-peer', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echo the given text back', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] })
  );
  return server;
}

const app = createMcpExpressApp();
const handlers = [];
if (authOn) {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth2/jwks`));
  const verifier = {
    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          issuer,
          audience,
          algorithms: ['RS256'],
          clockTolerance: 60
        });
        return {
          token,
          clientId: String(payload.client_id ?? payload.azp ?? ''),
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
          expiresAt: payload.exp,
          resource: new URL(audience),
          extra: { sub: payload.sub }
        };
      } catch (e) {
        throw new InvalidTokenError(e?.code ?? 'invalid token');
      }
    }
  };
  handlers.push(
    requireBearerAuth({
      verifier,
      requiredScopes,
      resourceMetadataUrl: `${new URL(audience).origin}/.well-known/oauth-protected-resource/mcp`,
      expectedResource: new URL(audience)
    })
  );
}

app.post('/mcp', ...handlers, async (req, res) => {
  const server = getServer();
  try {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    res.on('close', () => {
      transport.close();
      server.close();
    });
  } catch {
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

const listener = app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    console.error('listen failed:', error);
    process.exit(1);
  }
  console.log(`Listening on http://127.0.0.1:${listener.address().port}/mcp`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
