// AWS SigV4: Sluice's signer against the AWS SDK's own (@smithy/signature-v4), through the hidden
// `sluice sign-aws` command (the same call the pipeline makes for every upstream attempt); and the
// fake Bedrock's verifier against requests @smithy/signature-v4 signed, so the fake the Bedrock
// tests rely on is itself checked against the oracle.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { runSluice, makeTempDir } from '../lib/gateway.mjs';
import { FakeBedrock, TEST_CREDENTIALS, decodeMessages, encodeEvents, converseStreamEvents, chunk } from '../lib/fake-bedrock.mjs';

const T = { timeout: 60000 };

function amzDateToDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/** What @smithy/signature-v4 (as the AWS SDK for JavaScript configures it for Bedrock) signs. */
async function smithySign({ host, path: p, body, region, creds, date, applyChecksum = false }) {
  const signer = new SignatureV4({ credentials: creds, region, service: 'bedrock', sha256: Sha256, applyChecksum });
  const q = p.indexOf('?');
  const query = {};
  if (q >= 0) {
    for (const part of p.slice(q + 1).split('&')) {
      const [k, v = ''] = part.split('=');
      query[decodeURIComponent(k)] = decodeURIComponent(v);
    }
  }
  const req = new HttpRequest({ method: 'POST', protocol: 'https:', hostname: host.replace(/:\d+$/, ''),
    path: q >= 0 ? p.slice(0, q) : p, query, headers: { host }, body });
  return signer.sign(req, { signingDate: date });
}

describe('sluice sign-aws matches @smithy/signature-v4', () => {
  const dir = makeTempDir('sluice-sigv4-');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases = [
    { name: 'Claude model id (":" sent as %3A, signed as %253A), regional host',
      host: 'bedrock-runtime.us-west-2.amazonaws.com',
      path: '/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse', region: 'us-west-2' },
    { name: 'inference profile ARN (":" and "/" encoded) on invoke-with-response-stream',
      host: 'bedrock-runtime.eu-central-1.amazonaws.com',
      path: '/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke-with-response-stream',
      region: 'eu-central-1' },
    { name: 'raw ":" in the path (as Go url.PathEscape sends it)',
      host: 'bedrock-runtime.us-east-1.amazonaws.com', path: '/model/amazon.titan-embed-text-v2:0/invoke', region: 'us-east-1' },
    { name: 'FIPS endpoint', host: 'bedrock-runtime-fips.us-gov-west-1.amazonaws.com',
      path: '/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke', region: 'us-gov-west-1' },
    { name: 'VPC interface endpoint', host: 'vpce-0123456789abcdef0-1a2b3c4d.bedrock-runtime.ap-northeast-1.vpce.amazonaws.com',
      path: '/model/amazon.nova-pro-v1%3A0/converse-stream', region: 'ap-northeast-1' },
    { name: 'dual-stack api.aws endpoint', host: 'bedrock-runtime.us-east-2.api.aws',
      path: '/model/meta.llama3-1-70b-instruct-v1%3A0/converse', region: 'us-east-2' },
    { name: 'China partition', host: 'bedrock-runtime.cn-northwest-1.amazonaws.com.cn',
      path: '/model/x/converse', region: 'cn-northwest-1' },
    { name: 'loopback host with a port: the policy region', host: '127.0.0.1:34567',
      path: '/model/anthropic.claude-v2%3A1/invoke', region: 'ap-south-1', policyRegion: 'ap-south-1' },
    { name: 'temporary credentials sign x-amz-security-token',
      host: 'bedrock-runtime.us-east-1.amazonaws.com', path: '/model/m/converse', region: 'us-east-1',
      sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////+token=' },
    { name: 'UTF-8 body, spaces and a query string', host: 'bedrock-runtime.us-east-1.amazonaws.com',
      path: '/model/my%20model/converse?b=2&a=1', region: 'us-east-1',
      body: '{"messages":[{"role":"user","content":[{"text":"héllo ✓ 日本"}]}]}' },
    { name: 'empty body', host: 'bedrock-runtime.us-east-1.amazonaws.com', path: '/model/m/invoke',
      region: 'us-east-1', body: '' },
  ];

  for (const c of cases) {
    test(c.name, T, async () => {
      const body = c.body ?? '{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":64}}';
      const bodyFile = path.join(dir, `body-${cases.indexOf(c)}.json`);
      fs.writeFileSync(bodyFile, body);
      const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
      const args = ['sign-aws', '--host', c.host, '--path', c.path, '--body-file', bodyFile,
        '--region', c.policyRegion ?? 'us-east-1'];
      const res = await runSluice(args, { env: { AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}) } });
      assert.equal(res.code, 0, res.stderr);
      const out = JSON.parse(res.stdout);
      assert.equal(out.region, c.region);
      const date = amzDateToDate(out.headers['x-amz-date']);
      const expected = await smithySign({ host: c.host, path: c.path, body, region: c.region, creds, date });
      assert.equal(out.headers.authorization, expected.headers.authorization,
        `canonical request Sluice signed:\n${out.canonical_request}`);
      assert.equal(out.headers['x-amz-security-token'], c.sessionToken);
      assert.deepEqual(Object.keys(out.headers).sort(),
        ['authorization', 'x-amz-date', ...(c.sessionToken ? ['x-amz-security-token'] : [])].sort());
      assert.ok(!res.stdout.includes(creds.secretAccessKey), 'the secret key is never printed');
    });
  }

  test('a fixed --date gives the same signature as smithy at that instant', T, async () => {
    const res = await runSluice(['sign-aws', '--host', 'bedrock-runtime.us-east-1.amazonaws.com', '--path',
      '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse', '--body', '{}', '--date', '20150830T123600Z'],
    { env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.headers['x-amz-date'], '20150830T123600Z');
    assert.match(out.canonical_request, /^POST\n\/model\/anthropic\.claude-3-5-haiku-20241022-v1%253A0\/converse\n\nhost:/);
    const expected = await smithySign({ host: 'bedrock-runtime.us-east-1.amazonaws.com',
      path: '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse', body: '{}', region: 'us-east-1',
      creds: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      date: new Date('2015-08-30T12:36:00Z') });
    assert.equal(out.headers.authorization, expected.headers.authorization);
  });

  test('without credentials in the environment it says what is missing', T, async () => {
    const res = await runSluice(['sign-aws', '--host', 'h', '--path', '/']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });
});

function send(fake, { path: p, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: fake.port, method: 'POST', path: p, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function signedFor(fake, { path: p, body, creds = TEST_CREDENTIALS, region = 'us-east-1', applyChecksum = true,
  date = new Date() }) {
  const host = `127.0.0.1:${fake.port}`;
  const signed = await smithySign({ host, path: p, body, region, creds, date, applyChecksum });
  return { path: p, body, headers: { ...signed.headers, 'content-type': 'application/json',
    'content-length': Buffer.byteLength(body) } };
}

describe('fake Bedrock verifies signatures like Bedrock', () => {
  let fake;
  before(async () => { fake = await FakeBedrock.start({ name: 'self-test' }); });
  after(async () => { await fake?.close(); });

  test('a request signed by @smithy/signature-v4 (with x-amz-content-sha256, as the JS SDK sends it) is accepted', T, async () => {
    fake.reset();
    const res = await send(fake, await signedFor(fake, { path: '/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse',
      body: '{"messages":[]}' }));
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(fake.signatureFailures, []);
    assert.deepEqual(fake.violations, []);
    const rec = fake.requests[0];
    assert.equal(rec.modelId, 'anthropic.claude-3-5-sonnet-20241022-v2:0');
    assert.equal(rec.operation, 'converse');
    assert.equal(rec.signature.ok, true);
    assert.equal(rec.signature.accessKeyId, TEST_CREDENTIALS.accessKeyId);
    assert.equal(JSON.parse(res.body).output.message.role, 'assistant');
  });

  test('a changed body is InvalidSignatureException with the canonical request in the message', T, async () => {
    fake.reset();
    const r = await signedFor(fake, { path: '/model/m/converse', body: '{"a":1}', applyChecksum: false });
    r.body = '{"a":2}';
    const res = await send(fake, r);
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidSignatureException');
    const msg = JSON.parse(res.body).message;
    assert.ok(msg.startsWith('The request signature we calculated does not match the signature you provided.'), msg);
    assert.match(msg, /The Canonical String for this request should have been\n'POST\n\/model\/m\/converse\n/);
    assert.equal(fake.signatureFailures.length, 1);
  });

  test('unknown key, wrong region, missing signature and stale date are refused', T, async () => {
    fake.reset();
    const unknown = await send(fake, await signedFor(fake, { path: '/model/m/converse', body: '{}',
      creds: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } }));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.headers['x-amzn-errortype'], 'UnrecognizedClientException');
    assert.equal(JSON.parse(unknown.body).message, 'The security token included in the request is invalid.');

    const region = await send(fake, await signedFor(fake, { path: '/model/m/converse', body: '{}', region: 'us-west-2' }));
    assert.equal(region.status, 403);
    assert.equal(region.headers['x-amzn-errortype'], 'InvalidSignatureException');

    const none = await send(fake, { path: '/model/m/converse', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(none.status, 403);
    assert.equal(none.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');

    const stale = await send(fake, await signedFor(fake, { path: '/model/m/converse', body: '{}',
      date: new Date(Date.now() - 20 * 60 * 1000) }));
    assert.equal(stale.status, 403);
    assert.match(JSON.parse(stale.body).message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    assert.equal(fake.signatureFailures.length, 4);
  });

  test('stream answers are real event-stream frames', T, async () => {
    fake.reset();
    fake.enqueue({ events: converseStreamEvents({ pieces: ['a', 'b'] }) });
    const res = await send(fake, await signedFor(fake, { path: '/model/m/converse-stream', body: '{}' }));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    const msgs = decodeMessages(res.body);
    assert.deepEqual(msgs.map((m) => m.headers[':event-type']),
      ['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    for (const m of msgs) {
      assert.equal(m.headers[':message-type'], 'event');
      assert.equal(m.headers[':content-type'], 'application/json');
    }
    const delta = JSON.parse(msgs[1].body);
    assert.deepEqual(delta.delta, { text: 'a' });
    assert.equal(typeof delta.p, 'string', 'padding field as Bedrock sends it');
    // InvokeModelWithResponseStream chunks carry base64 provider events.
    const bytes = encodeEvents([chunk({ type: 'message_stop' })], { padding: false });
    const [c] = decodeMessages(bytes);
    assert.equal(c.headers[':event-type'], 'chunk');
    assert.deepEqual(JSON.parse(Buffer.from(JSON.parse(c.body).bytes, 'base64')), { type: 'message_stop' });
  });
});
