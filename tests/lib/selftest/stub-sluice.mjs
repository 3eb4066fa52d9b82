#!/usr/bin/env node
// A stand-in process for the harness self-test (integration/harness.test.mjs) only: it prints the
// start-up lines `sluice run` prints and one JSON line per request on stdout, so that the
// harness's parsing, waiting and stopping can be checked without the real binary. It implements
// none of the gateway and is never used to test it.

import http from 'node:http';

const mode = process.env.STUB_MODE || 'ok';
if (mode === 'fail') {
  process.stderr.write('sluice: stub failing on purpose\n');
  process.exit(3);
}

const server = http.createServer((req, res) => {
  if (mode === 'crash-on-request') {
    process.stderr.write('free(): double free detected (pretend)\n');
    process.kill(process.pid, 'SIGABRT');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('stub');
  process.stdout.write(`${JSON.stringify({ method: req.method, path: req.url, response_code: 200 })}\n`);
});
const admin = http.createServer((req, res) => { res.writeHead(200); res.end('ok'); });

server.listen(0, '127.0.0.1', () => {
  admin.listen(0, '127.0.0.1', () => {
    process.stderr.write('some other log line\n');
    process.stderr.write(`sluice: listener default/gw/http on 127.0.0.1:${server.address().port}\n`);
    process.stderr.write(`sluice: admin on 127.0.0.1:${admin.address().port}\n`);
    if (mode !== 'never-ready') process.stderr.write('sluice: ready\n');
  });
});

process.on('SIGTERM', () => {
  if (mode === 'ignore-term') return;
  server.close();
  admin.close();
  process.stderr.write('sluice: stopped\n');
  process.exit(0);
});
