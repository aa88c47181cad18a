// bench/run's proxy scenario: gets a proxy-issued access token through the real OAuth proxy flow
// (DCR, /authorize, the consent form, the upstream's sign-in, /auth/callback, /token with PKCE) and
// prints it. No npm packages: Node's fetch and crypto.
//   node proxy_token.mjs SERVER_BASE   (the running `fastmcp run` with OIDCProxy; its BASE_URL)
import { createHash, randomBytes } from 'node:crypto';

const base = process.argv[2];
if (!base) { console.error('usage: node proxy_token.mjs SERVER_BASE'); process.exit(2); }
const redirectUri = 'http://127.0.0.1:1/callback';
const fail = (what, res, body) => { throw new Error(`${what}: ${res.status} ${body ?? ''}`); };

const reg = await fetch(`${base}/register`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ client_name: 'bench/run', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
});
if (reg.status !== 201) fail('register', reg, await reg.text());
const clientId = (await reg.json()).client_id;

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const state = randomBytes(16).toString('hex');
const authorize = new URL(`${base}/authorize`);
for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
  code_challenge: challenge, code_challenge_method: 'S256', state, resource: `${base}/mcp` })) authorize.searchParams.set(k, v);

let res = await fetch(authorize, { redirect: 'manual' });
if (res.status === 200) { // the consent page: approve it with its CSRF token and transaction cookie
  const html = await res.text();
  const field = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))[1];
  res = await fetch(`${base}/consent`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: res.headers.get('set-cookie').split(';')[0] },
    body: new URLSearchParams({ transaction: field('transaction'), csrf: field('csrf'), action: 'approve' }),
  });
}
if (res.status !== 302) fail('authorize', res, await res.text());
res = await fetch(res.headers.get('location'), { redirect: 'manual' }); // the upstream signs in at once
if (res.status !== 302) fail('upstream authorize', res, await res.text());
res = await fetch(res.headers.get('location'), { redirect: 'manual' }); // the proxy's callback
if (res.status !== 302) fail('callback', res, await res.text());
const back = new URL(res.headers.get('location'));
if (back.searchParams.get('state') !== state || !back.searchParams.get('code')) fail('callback redirect', res, back.href);

res = await fetch(`${base}/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code'), redirect_uri: redirectUri,
    client_id: clientId, code_verifier: verifier, resource: `${base}/mcp` }),
});
const tokens = await res.json();
if (res.status !== 200 || !tokens.access_token) fail('token', res, JSON.stringify(tokens.error ?? tokens));
console.log(tokens.access_token);
