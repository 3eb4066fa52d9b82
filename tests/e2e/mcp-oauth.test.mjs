// MCPRoute securityPolicy.oauth and .authorization through the real binary: bearer JWTs made by
// `jose` (the token oracle), JWKS inline and from a remote URL (a loopback JWKS server), 401 with
// WWW-Authenticate resource_metadata (RFC 6750 §3, RFC 9728 §5.1), the protected resource
// metadata document, claimToHeaders, and 403 insufficient_scope from authorization rules.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startGateway } from '../lib/gateway.mjs';
import { connectClient, INIT, mcpConfig, rpc, startEchoServer, startEverything } from '../lib/mcp.mjs';

const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'sluice-e2e';

async function makeKeys(kid = 'k1') {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const token = (claims = {}, { exp = '10m' } = {}) => new SignJWT({ sub: 'alice',
    scope: 'mcp:read', tenant: 'acme', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid }).setIssuer(ISSUER).setAudience(AUDIENCE)
    .setIssuedAt().setExpirationTime(exp).sign(privateKey);
  return { jwks: { keys: [jwk] }, token };
}

function oauthSpec(jwks) {
  return {
    issuer: ISSUER,
    audiences: [AUDIENCE],
    jwks,
    protectedResourceMetadata: { resource: 'http://localhost/mcp', resourceName: 'Sluice e2e',
      scopesSupported: ['mcp:read', 'mcp:admin'] },
    claimToHeaders: [{ claim: 'tenant', header: 'x-tenant' }, { claim: 'sub', header: 'x-user' }],
  };
}

const AUTHZ = {
  defaultAction: 'Deny',
  rules: [
    { source: { jwt: { scopes: ['mcp:admin'] } }, target: { tools: [{ backend: 'echo', tool: 'add' }] } },
    { source: { jwt: { scopes: ['mcp:read'], claims: [{ name: 'tenant', values: ['acme'] }] } },
      target: { tools: [{ backend: 'echo', tool: 'echo_headers' },
        { backend: 'everything', tool: 'echo' }] } },
  ],
};

describe('MCP OAuth with an inline JWKS, and authorization rules', { timeout: 120000 }, () => {
  let everything;
  let echo;
  let gw;
  let keys;
  let url;

  before(async () => {
    keys = await makeKeys();
    everything = await startEverything();
    echo = await startEchoServer();
    gw = await startGateway({ yaml: mcpConfig({ everything, echo,
      oauth: oauthSpec({ localJWKS: { type: 'Inline', inline: JSON.stringify(keys.jwks) } }),
      authorization: AUTHZ }) });
    url = gw.url('/mcp');
  });
  after(async () => {
    await gw?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('answers 401 with a resource_metadata challenge without a valid token', async () => {
    const expected = `http://127.0.0.1:${gw.port}/.well-known/oauth-protected-resource/mcp`;
    for (const authorization of [undefined, 'Bearer', 'Bearer not.a.jwt', 'Basic YTpi',
      'Bearer ' + 'x'.repeat(20000), 'bearer ...']) {
      const r = await rpc(url, INIT, { headers: authorization ? { authorization } : {} });
      assert.equal(r.status, 401, String(authorization).slice(0, 30));
      const challenge = r.headers.get('www-authenticate');
      assert.match(challenge, /^Bearer error="invalid_token"/);
      assert.ok(challenge.includes(`resource_metadata="${expected}"`), challenge);
    }
    const expired = await keys.token({}, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const r = await rpc(url, INIT, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(r.status, 401);
  });

  it('serves the protected resource metadata document', async () => {
    const res = await fetch(gw.url('/.well-known/oauth-protected-resource/mcp'));
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.resource, 'http://localhost/mcp');
    assert.deepEqual(doc.authorization_servers, [ISSUER]);
    assert.deepEqual(doc.bearer_methods_supported, ['header']);
    assert.deepEqual(doc.scopes_supported, ['mcp:read', 'mcp:admin']);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  });

  it('accepts a valid token, projects claims into headers and filters tools by the rules', async () => {
    const token = await keys.token();
    const { client } = await connectClient(url, { headers: { authorization: `Bearer ${token}`,
      'x-user': 'forged' } });
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(tools, ['echo__echo_headers', 'everything__echo']);
      const r = await client.callTool({ name: 'echo__echo_headers', arguments: {} });
      const h = JSON.parse(r.content[0].text);
      assert.equal(h['x-tenant'], 'acme');
      assert.equal(h['x-user'], 'alice', 'the verified claim, not the client header');
      assert.equal(h.authorization, undefined, 'the token is not forwarded');
    } finally {
      await client.close();
    }
  });

  it('answers 403 insufficient_scope for a tool the token may not call', async () => {
    const token = await keys.token();
    const init = await rpc(url, INIT, { headers: { authorization: `Bearer ${token}` } });
    const sid = init.headers.get('mcp-session-id');
    const r = await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/call',
      params: { name: 'echo__add', arguments: { a: 1, b: 2 } } },
    { sessionId: sid, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 403);
    const challenge = r.headers.get('www-authenticate');
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp:admin"/);
    assert.match(challenge, /resource_metadata="/);
    const admin = await keys.token({ scope: 'mcp:admin' });
    const ok = await rpc(url, { jsonrpc: '2.0', id: 3, method: 'tools/call',
      params: { name: 'echo__add', arguments: { a: 1, b: 2 } } },
    { sessionId: sid, headers: { authorization: `Bearer ${admin}` } });
    assert.equal(ok.status, 200, 'the same subject with a wider scope');
    assert.equal(ok.json.result.content[0].text, '3');
    const bob = await keys.token({ sub: 'bob', scope: 'mcp:admin' });
    const other = await rpc(url, { jsonrpc: '2.0', id: 4, method: 'tools/list' },
      { sessionId: sid, headers: { authorization: `Bearer ${bob}` } });
    assert.equal(other.status, 404, 'a session is bound to the subject that opened it');
  });
});

describe('MCP OAuth with a remote JWKS', { timeout: 60000 }, () => {
  let echo;
  let everything;
  let gw;
  let keys;
  let jwksServer;
  let fetches = 0;

  before(async () => {
    keys = await makeKeys();
    jwksServer = http.createServer((req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(keys.jwks));
    });
    await new Promise((r) => jwksServer.listen(0, '127.0.0.1', r));
    everything = await startEverything();
    echo = await startEchoServer();
    gw = await startGateway({ yaml: mcpConfig({ everything, echo,
      oauth: oauthSpec({ remoteJWKS: { uri: `http://127.0.0.1:${jwksServer.address().port}/jwks.json` } }) }) });
  });
  after(async () => {
    await gw?.stop();
    await everything?.stop();
    await echo?.stop();
    await new Promise((r) => jwksServer.close(r));
  });

  it('fetches the key set once and caches it', async () => {
    const token = await keys.token();
    const { client } = await connectClient(gw.url('/mcp'), { headers: { authorization: `Bearer ${token}` } });
    try {
      const r = await client.callTool({ name: 'echo__add', arguments: { a: 2, b: 3 } });
      assert.equal(r.content[0].text, '5');
      await client.listTools();
      assert.equal(fetches, 1);
    } finally {
      await client.close();
    }
  });
  it('fetches the key set again when a token names a key it does not have (rotation)', async () => {
    const rotated = await makeKeys('k2');
    keys.jwks = { keys: [...keys.jwks.keys, ...rotated.jwks.keys] };
    const before1 = fetches;
    // The refetch on an unknown key id is rate-limited to one a second.
    await new Promise((r) => setTimeout(r, 1100));
    const token = await rotated.token();
    const { client } = await connectClient(gw.url('/mcp'), { headers: { authorization: `Bearer ${token}` } });
    try {
      const r = await client.callTool({ name: 'echo__add', arguments: { a: 1, b: 1 } });
      assert.equal(r.content[0].text, '2');
      assert.equal(fetches, before1 + 1);
    } finally {
      await client.close();
    }
  });

});
