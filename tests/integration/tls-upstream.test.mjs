// TLS to the upstream: a Backend with a BackendTLSPolicy (validation.hostname + caCertificateRefs →
// ConfigMap `ca.crt`) reaches an HTTPS fake whose certificate a test CA (made with the openssl CLI)
// signed; SNI and Host are the hostname. A hostname the certificate does not carry, or a CA that did
// not sign it, fails with 503 and the request never reaches the upstream.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig } from '../lib/config.mjs';
import { postJSON, openStream } from '../lib/http.mjs';
import { TestPKI } from '../lib/tls.mjs';
import { fixture } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertGatewayError, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-tls-SECRET-7e7e7e7e7e';
const T = { timeout: 30000 };

describe('TLS upstream with BackendTLSPolicy', () => {
  let pki;
  let good;
  let wrongName;
  let otherCaFake;
  let gw;

  before(async () => {
    pki = new TestPKI();
    const ca = pki.makeCA('ca', 'Sluice Test Root CA');
    const rogue = pki.makeCA('rogue', 'Rogue CA');
    const leaf = pki.issueServer(ca, 'localhost', { dns: ['localhost'], ips: [] });
    const other = pki.issueServer(rogue, 'rogue-localhost', { dns: ['localhost'], ips: [] });
    const cred = { header: 'authorization', value: `Bearer ${KEY}` };
    good = await FakeOpenAI.start({ name: 'tls-good', tls: { key: leaf.keyPem, cert: leaf.certPem },
      expect: { host: 'localhost', sni: 'localhost', credential: cred } });
    wrongName = await FakeOpenAI.start({ name: 'tls-wrong-name', tls: { key: leaf.keyPem, cert: leaf.certPem },
      expect: { host: 'localhost', credential: cred } });
    otherCaFake = await FakeOpenAI.start({ name: 'tls-other-ca', tls: { key: other.keyPem, cert: other.certPem },
      expect: { host: 'localhost', credential: cred } });
    const policy = { type: 'APIKey', key: KEY };
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['tls-ok'], backendRefs: ['good'] },
        { models: ['tls-wrong-hostname'], backendRefs: ['wrongname'] },
        { models: ['tls-unknown-ca'], backendRefs: ['otherca'] },
      ] }],
      backends: [
        { name: 'good', endpoint: { fqdn: 'localhost', port: good.port }, policy,
          tls: { hostname: 'localhost', caPem: ca.certPem } },
        { name: 'wrongname', endpoint: { fqdn: 'localhost', port: wrongName.port }, policy,
          tls: { hostname: 'api.not-this-cert.test', caPem: ca.certPem } },
        { name: 'otherca', endpoint: { fqdn: 'localhost', port: otherCaFake.port }, policy,
          tls: { hostname: 'localhost', caPem: ca.certPem } },
      ],
    }) });
  }, HOOK);

  after(async () => {
    try { if (gw) assertNoSecret(gw, KEY); } finally {
      await gw?.stop();
      await Promise.all([good, wrongName, otherCaFake].map((f) => f?.close()));
      pki?.cleanup();
    }
  }, HOOK);

  afterEach(() => checkAndReset(good, wrongName, otherCaFake));

  test('a certificate from the referenced CA for the policy hostname: 200, SNI and Host checked', T, async () => {
    const bytes = fixture('openai/chat-completion.json');
    good.enqueue({ json: bytes });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('tls-ok'));
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.equals(bytes));
    assert.equal(good.requests[0].sni, 'localhost');
    assert.equal(good.requests[0].path, '/v1/chat/completions');
  });

  test('streaming over TLS is relayed byte for byte', T, async () => {
    const sse = fixture('openai/chat-completion-stream.sse');
    good.enqueue({ sse: [sse] });
    const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('tls-ok',
      { stream: true, stream_options: { include_usage: true } }) });
    assert.ok((await s.all()).equals(sse));
  });

  test('validation.hostname not in the certificate → 503, nothing reaches the upstream', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('tls-wrong-hostname'));
    assertGatewayError(res, 503);
    assert.equal(wrongName.requests.length, 0);
    assert.ok(wrongName.tlsErrors.length > 0 || wrongName.connections === 0,
      'the gateway attempted TLS and aborted the handshake');
  });

  test('a certificate signed by an unknown CA → 503, nothing reaches the upstream', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('tls-unknown-ca'));
    assertGatewayError(res, 503);
    assert.equal(otherCaFake.requests.length, 0);
    assert.ok(otherCaFake.tlsErrors.length > 0, 'the gateway rejected the certificate during the handshake');
  });
});
