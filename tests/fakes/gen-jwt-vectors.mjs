// Generates src/sluice/mcp/testdata/jwt_vectors.json with `jose` (npm, pinned in
// tests/package.json) as the independent token oracle for src/sluice/mcp/jwt_test.cc.
// Run from tests/:  node fakes/gen-jwt-vectors.mjs
// Every case names the expected outcome: "ok" or the error the validator must report.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';

const NOW = 1900000000;  // the fixed "now" the C++ test passes to VerifyJwt
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'sluice-mcp';

const keys = {};
const jwks = { keys: [] };
for (const [kid, alg, opts] of [['rsa-1', 'RS256', {}], ['pss-1', 'PS256', {}], ['ec-1', 'ES256', {}],
  ['ed-1', 'EdDSA', { crv: 'Ed25519' }]]) {
  const pair = await generateKeyPair(alg, { ...opts, extractable: true });
  keys[kid] = { ...pair, alg };
  const jwk = await exportJWK(pair.publicKey);
  jwks.keys.push({ ...jwk, kid, alg, use: 'sig' });
}

const base = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', scope: 'tools:read tools:write',
  iat: NOW - 10, exp: NOW + 3600 };

async function sign(kid, claims = base, header = {}) {
  const k = keys[kid];
  return new SignJWT(claims).setProtectedHeader({ alg: k.alg, kid, typ: 'at+jwt', ...header })
    .sign(k.privateKey);
}

const cases = [];
for (const kid of Object.keys(keys)) cases.push({ name: `good ${keys[kid].alg}`, token: await sign(kid), expect: 'ok' });
cases.push({ name: 'audience in an array', token: await sign('rsa-1', { ...base, aud: ['x', AUDIENCE] }), expect: 'ok' });
cases.push({ name: 'expired', token: await sign('rsa-1', { ...base, exp: NOW - 120 }), expect: 'token expired' });
cases.push({ name: 'expired within leeway', token: await sign('ec-1', { ...base, exp: NOW - 30 }), expect: 'ok' });
cases.push({ name: 'not yet valid', token: await sign('rsa-1', { ...base, nbf: NOW + 600 }), expect: 'token not yet valid' });
cases.push({ name: 'wrong audience', token: await sign('rsa-1', { ...base, aud: 'someone-else' }), expect: 'wrong audience' });
cases.push({ name: 'no audience', token: await sign('rsa-1', { ...base, aud: undefined }), expect: 'wrong audience' });
cases.push({ name: 'wrong issuer', token: await sign('ed-1', { ...base, iss: 'https://evil.example.com' }), expect: 'wrong issuer' });
cases.push({ name: 'missing exp', token: await sign('rsa-1', { ...base, exp: undefined }), expect: 'missing exp' });
cases.push({ name: 'unknown kid', token: await sign('rsa-1', base, { kid: 'nope' }), expect: 'unknown key id "nope"' });
{
  // A valid signature over different claims: swap the payload.
  const good = (await sign('rsa-1')).split('.');
  const other = (await sign('rsa-1', { ...base, sub: 'mallory' })).split('.');
  cases.push({ name: 'bad signature (payload swapped)', token: `${good[0]}.${other[1]}.${good[2]}`, expect: 'bad signature' });
  const es = (await sign('ec-1')).split('.');
  const es2 = (await sign('ec-1', { ...base, sub: 'mallory' })).split('.');
  cases.push({ name: 'bad ES256 signature', token: `${es[0]}.${es2[1]}.${es[2]}`, expect: 'bad signature' });
}
cases.push({ name: 'RS256 header on the PS256 key', token: await sign('pss-1', base, { alg: 'RS256' }).catch(() => null), expect: 'key "pss-1" does not allow RS256' });
cases.push({ name: 'alg none', token: new UnsecuredJWT(base).encode(), expect: 'algorithm "none" is not accepted' });
{
  // HMAC with the RSA public key as the secret: the classic algorithm-confusion forgery.
  const pem = await exportSPKI(keys['rsa-1'].publicKey);
  const forged = await new SignJWT(base).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
    .sign(new TextEncoder().encode(pem));
  cases.push({ name: 'HS256 with the public key as secret', token: forged, expect: 'algorithm "HS256" is not accepted' });
}
cases.push({ name: 'garbage', token: 'not.a.jwt', expect: 'invalid base64url' });
cases.push({ name: 'two segments', token: 'abc.def', expect: 'not a compact JWS' });

const out = { generator: 'jose 6.2.17 via gen_jwt_vectors.mjs', now: NOW, issuer: ISSUER,
  audience: AUDIENCE, jwks, cases: cases.filter((c) => c.token) };
const here = path.dirname(fileURLToPath(import.meta.url));
fs.writeFileSync(path.join(here, '../../src/sluice/mcp/testdata/jwt_vectors.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${out.cases.length} cases`);
