// Runs the real `sluice` binary for a test.
//
// startGateway() writes the YAML to a fresh temp dir, runs
//   sluice run <files...> --admin-port 0 --address 127.0.0.1 --workers 1 <args...>
// and waits (20 s) for `sluice: ready` on stderr, having parsed
//   sluice: listener <ns/gateway/listener> on 127.0.0.1:<port>
//   sluice: admin on 127.0.0.1:<port>
// stdout is the access log: one JSON object per line, collected in `gw.logs`.
// Every process started here is killed when the test process exits, however it exits; tests also
// stop their gateways in after()/t.after() hooks, which run on failure too.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TESTS_DIR } from './openai-wire.mjs';

const live = new Set();

function killAll() {
  for (const c of live) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { killAll(); process.exit(128 + os.constants.signals[sig]); });
}

/** The binary under test: $SLUICE_BIN, else ../build/asan/sluice, else ../build/debug/sluice. */
export function sluiceBin() {
  if (process.env.SLUICE_BIN) return path.resolve(process.env.SLUICE_BIN);
  const asan = path.resolve(TESTS_DIR, '../build/asan/sluice');
  const debug = path.resolve(TESTS_DIR, '../build/debug/sluice');
  if (!fs.existsSync(asan) && fs.existsSync(debug)) return debug;
  return asan;
}

function assertBinary() {
  const bin = sluiceBin();
  if (!fs.existsSync(bin)) {
    throw new Error(`sluice binary not found at ${bin} (build it with scripts/build asan, or set SLUICE_BIN)`);
  }
  return bin;
}

// Variables that would make `sluice run` autoconfigure a provider or read a user's config.
const SCRUBBED_ENV = /^(OPENAI_|AZURE_OPENAI_|ANTHROPIC_|AIGW_|OTEL_|AWS_|GOOGLE_|SLUICE_MCP_)/;

export function childEnv(extra = {}, home) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!SCRUBBED_ENV.test(k) && k !== 'SLUICE_BIN' && !k.startsWith('NODE_TEST')) env[k] = v;
  }
  if (home) {
    env.HOME = home;
    env.XDG_CONFIG_HOME = path.join(home, '.config');
  }
  return { ...env, ...extra };
}

export function makeTempDir(prefix = 'sluice-test-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function splitLines(onLine) {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, i).replace(/\r$/, ''));
        pending = pending.slice(i + 1);
      }
    },
    flush() { if (pending) { onLine(pending); pending = ''; } },
  };
}

const LISTENER_RE = /^sluice: listener (\S+) on (\S+):(\d+)$/;
const ADMIN_RE = /^sluice: admin on (\S+):(\d+)$/;

export class Gateway {
  constructor(child, { dir, configPath, argv, keepDir }) {
    this.child = child;
    this.pid = child.pid;
    this.dir = dir;
    this.configPath = configPath;
    this.argv = argv;
    this.keepDir = keepDir;
    this.listeners = new Map();
    this.adminPort = null;
    this.ready = false;
    this.logs = [];
    this.stdoutLines = [];
    this.nonJsonStdout = [];
    this.stderrLines = [];
    this.stdoutText = '';
    this.stderrText = '';
    this.exit = null;
    this.waiters = new Set();
    const out = splitLines((line) => {
      this.stdoutLines.push(line);
      if (line.trim() === '') return;
      try {
        const v = JSON.parse(line);
        if (v && typeof v === 'object' && !Array.isArray(v)) this.logs.push(v);
        else this.nonJsonStdout.push(line);
      } catch {
        this.nonJsonStdout.push(line);
      }
      this._wake();
    });
    const err = splitLines((line) => {
      this.stderrLines.push(line);
      let m;
      if ((m = LISTENER_RE.exec(line))) this.listeners.set(m[1], { host: m[2], port: Number(m[3]) });
      else if ((m = ADMIN_RE.exec(line))) this.adminPort = Number(m[2]);
      else if (line === 'sluice: ready') this.ready = true;
      this._wake();
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => { this.stdoutText += c; out.push(c); });
    child.stderr.on('data', (c) => { this.stderrText += c; err.push(c); });
    this.exited = new Promise((resolve) => {
      // A spawn failure (EACCES, ENOENT: e.g. the binary is being relinked) may emit no 'exit'.
      child.on('error', (e) => {
        this.stderrLines.push(`spawn error: ${e.message}`);
        if (child.pid === undefined && !this.exit) {
          live.delete(child);
          this.exit = { code: null, signal: null, spawnError: e.code ?? e.message };
          this._wake();
          resolve(this.exit);
        }
      });
      child.on('exit', (code, signal) => {
        live.delete(child);
        // Let the pipes drain before reporting the exit.
        setTimeout(() => {
          out.flush(); err.flush();
          this.exit = { code, signal };
          this._wake();
          resolve(this.exit);
        }, 50);
      });
    });
  }

  _wake() { for (const w of [...this.waiters]) w(); }

  /** Resolves with pred()'s first truthy value; rejects on timeout (or exit, unless allowExit). */
  waitFor(pred, { ms = 10000, what = 'condition', allowExit = false } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v) { cleanup(); resolve(v); return true; }
        if (this.exit && !allowExit) {
          cleanup();
          reject(new Error(`sluice exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n--- stderr ---\n${this.stderrTail()}`));
          return true;
        }
        return false;
      };
      const t = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}\n--- stderr ---\n${this.stderrTail()}`));
      }, ms);
      const cleanup = () => { clearTimeout(t); this.waiters.delete(check); };
      if (!check()) this.waiters.add(check);
    });
  }

  stderrTail(n = 40) { return this.stderrLines.slice(-n).join('\n'); }

  /** The first listener's port (the Gateway's only listener in most tests). */
  get port() {
    const first = this.listeners.values().next().value;
    if (!first) throw new Error('no listener reported');
    return first.port;
  }

  listenerPort(name) {
    const l = this.listeners.get(name);
    if (!l) throw new Error(`no listener ${name}; have ${[...this.listeners.keys()]}`);
    return l.port;
  }

  url(p = '/') { return `http://127.0.0.1:${this.port}${p}`; }

  adminUrl(p = '/') { return `http://127.0.0.1:${this.adminPort}${p}`; }

  /** Waits for a stderr line matching re at or after line index `from`; resolves with the match. */
  waitForStderr(re, { from = 0, ms = 10000 } = {}) {
    return this.waitFor(() => {
      for (let i = from; i < this.stderrLines.length; i++) {
        const m = re.exec(this.stderrLines[i]);
        if (m) return Object.assign(m, { lineIndex: i });
      }
      return null;
    }, { ms, what: `stderr ${re}` });
  }

  /**
   * The access log is written in batches (sluice flushes periodically), so a line can appear a
   * little after its response. logMark() waits until no new line has arrived for quietMs and returns
   * the current count: lines from earlier requests are then all in, and a test can look for its own
   * lines from that index. Not a timing assertion: it only waits.
   */
  async logMark({ quietMs = 300, ms = 10000 } = {}) {
    const t0 = Date.now();
    let n = this.logs.length;
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() - t0 > ms) break;
      await new Promise((r) => setTimeout(r, 25));
      if (this.logs.length !== n) { n = this.logs.length; since = Date.now(); }
    }
    return this.logs.length;
  }

  /** Waits for an access-log entry at or after index `from` satisfying pred. */
  waitForLog(pred = () => true, { from = 0, ms = 10000 } = {}) {
    return this.waitFor(() => {
      for (let i = from; i < this.logs.length; i++) if (pred(this.logs[i])) return this.logs[i];
      return null;
    }, { ms, what: 'access log entry', allowExit: true });
  }

  /** Waits until at least `count` access-log entries exist from index `from`; returns them. */
  async waitForLogCount(count, { from = 0, ms = 10000 } = {}) {
    await this.waitFor(() => this.logs.length - from >= count,
      { ms, what: `${count} access log entries`, allowExit: true });
    return this.logs.slice(from);
  }

  signal(sig) {
    if (sig === 'SIGTERM' || sig === 'SIGINT' || sig === 'SIGKILL') this.stopRequested = true;
    if (!this.exit) this.child.kill(sig);
  }

  /** Everything the process printed. */
  output() { return `${this.stdoutText}\n${this.stderrText}`; }

  /**
   * Stops the process: `signal` (SIGTERM), then SIGKILL after ms. Idempotent. Resolves with
   * { code, signal, killed }. With expectRunning (the default), a process that had already exited
   * on its own (a crash) makes stop() throw with its stderr, so suites report crashes clearly.
   */
  async stop({ signal = 'SIGTERM', ms = 15000, expectRunning = true } = {}) {
    let killed = false;
    const crashed = this.exit && !this.stopRequested;
    this.stopRequested = true;
    if (!this.exit) {
      try { this.child.kill(signal); } catch { /* gone */ }
      const t = setTimeout(() => {
        killed = true;
        try { this.child.kill('SIGKILL'); } catch { /* gone */ }
      }, ms);
      // Bounded even if the process never reports its exit.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, ms + 5000).unref())]);
      clearTimeout(t);
    }
    if (!this.keepDir && this.dir) {
      fs.rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    }
    if (crashed && expectRunning) {
      throw new Error(`sluice exited on its own before the test stopped it (${JSON.stringify(this.exit)})\n--- stderr ---\n${this.stderrTail()}`);
    }
    return { ...this.exit, killed };
  }
}

/**
 * Starts sluice and waits until it is ready.
 * @param {object} o
 * @param {string} [o.yaml] config written to <tmp>/config.yaml and passed as the file argument
 * @param {Object<string,string>} [o.files] extra files to write in the temp dir (name → content)
 * @param {string[]} [o.paths] file/folder arguments (relative names resolve in the temp dir);
 *   defaults to [config.yaml] when yaml is given
 * @param {Object<string,string>} [o.env] extra environment (provider variables are scrubbed first)
 * @param {string[]} [o.args] extra arguments after the standard ones
 * @param {boolean} [o.standardArgs] pass --admin-port 0 --address 127.0.0.1 --workers 1 (default)
 * @param {string} [o.bin] another executable (the harness self-test's stub)
 */
export async function startGateway({ yaml, files = {}, paths, env = {}, args = [], standardArgs = true,
  readyTimeoutMs = 20000, keepDir = false, bin: binOverride } = {}) {
  const bin = binOverride ?? assertBinary();
  const dir = makeTempDir();
  let configPath = null;
  if (yaml !== undefined) {
    configPath = path.join(dir, 'config.yaml');
    fs.writeFileSync(configPath, yaml);
  }
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const fileArgs = (paths ?? (configPath ? [configPath] : []))
    .map((p) => (path.isAbsolute(p) ? p : path.join(dir, p)));
  const argv = ['run', ...fileArgs,
    ...(standardArgs ? ['--admin-port', '0', '--address', '127.0.0.1', '--workers', '1'] : []),
    ...args];
  const child = spawn(bin, argv, { env: childEnv(env, dir), stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  live.add(child);
  const gw = new Gateway(child, { dir, configPath, argv, keepDir });
  try {
    await gw.waitFor(() => gw.ready, { ms: readyTimeoutMs, what: 'sluice: ready' });
    if (gw.listeners.size === 0) throw new Error('sluice printed ready without any listener line');
    if (gw.adminPort === null) throw new Error('sluice printed ready without the admin line');
  } catch (e) {
    await gw.stop({ signal: 'SIGKILL', expectRunning: false });
    e.message = `starting ${bin} ${argv.join(' ')}: ${e.message}`;
    throw e;
  }
  return gw;
}

/**
 * Runs sluice to completion (validate, version, start-up failures). Kills it after timeoutMs.
 * @returns {Promise<{code:number|null, signal:string|null, stdout:string, stderr:string,
 *   timedOut:boolean}>}
 */
export function runSluice(args, { env = {}, timeoutMs = 20000, cwd } = {}) {
  const bin = assertBinary();
  const home = makeTempDir('sluice-home-');
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: childEnv(env, home), stdio: ['ignore', 'pipe', 'pipe'],
      cwd: cwd ?? home });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const t = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { stderr += `spawn error: ${e.message}\n`; });
    child.on('close', (code, signal) => {
      clearTimeout(t);
      live.delete(child);
      fs.rmSync(home, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Asserts the secret string appears nowhere in what the gateway printed. */
export function assertNoSecret(gw, secret) {
  const out = typeof gw === 'string' ? gw : gw.output();
  if (out.includes(secret)) {
    const line = out.split('\n').find((l) => l.includes(secret));
    throw new Error(`secret leaked into gateway output: ${line.replace(secret, '<SECRET>')}`);
  }
}
