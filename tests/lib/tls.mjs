// Test PKI made with the `openssl` CLI at test time, in a temp dir: a CA and server certificates
// it signs. Nothing is committed; every run makes fresh keys.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './gateway.mjs';

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
}

export class TestPKI {
  constructor() {
    this.dir = makeTempDir('sluice-pki-');
  }

  /** Creates a self-signed CA; returns { name, certPem, keyPath, certPath }. */
  makeCA(name = 'ca', cn = 'Sluice Test CA') {
    const keyPath = path.join(this.dir, `${name}.key`);
    const certPath = path.join(this.dir, `${name}.crt`);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], this.dir);
    return { name, keyPath, certPath, certPem: fs.readFileSync(certPath, 'utf8') };
  }

  /**
   * Issues a server certificate signed by `ca` for the given DNS names / IPs.
   * @returns {{keyPem:string, certPem:string}}
   */
  issueServer(ca, name, { dns = ['localhost'], ips = ['127.0.0.1'] } = {}) {
    const keyPath = path.join(this.dir, `${name}.key`);
    const csrPath = path.join(this.dir, `${name}.csr`);
    const certPath = path.join(this.dir, `${name}.crt`);
    const extPath = path.join(this.dir, `${name}.ext`);
    const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
    fs.writeFileSync(extPath, [
      `subjectAltName=${san}`, 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth', ''].join('\n'));
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${dns[0] ?? ips[0]}`], this.dir);
    openssl(['x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath,
      '-CAcreateserial', '-out', certPath, '-days', '2', '-extfile', extPath], this.dir);
    return { keyPem: fs.readFileSync(keyPath, 'utf8'), certPem: fs.readFileSync(certPath, 'utf8') };
  }

  cleanup() { fs.rmSync(this.dir, { recursive: true, force: true }); }
}
