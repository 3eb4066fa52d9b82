// Port helpers. Ports are always chosen by the kernel (listen on port 0); nothing here ever names a
// fixed port. All addresses are loopback.

import net from 'node:net';

/** A port on 127.0.0.1 that nothing listens on: bound on port 0, then closed (connect → refused). */
export async function closedPort() {
  const s = net.createServer();
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Keeps a port on 127.0.0.1 in use (for "port in use" start-up failures). */
export async function occupiedPort(host = '127.0.0.1') {
  const sockets = new Set();
  const s = net.createServer((sock) => { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); });
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, host, resolve);
  });
  return {
    port: s.address().port,
    close: () => new Promise((resolve) => {
      for (const k of sockets) k.destroy();
      s.close(() => resolve());
    }),
  };
}

/**
 * A listener that completes the TCP handshake (the kernel does that) but never reads or answers:
 * an upstream that hangs. Records how many connections arrived.
 */
export async function silentListener() {
  const sockets = new Set();
  const s = net.createServer({ pauseOnConnect: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: s.address().port,
    get openConnections() { return sockets.size; },
    close: () => new Promise((resolve) => {
      for (const k of sockets) k.destroy();
      s.close(() => resolve());
    }),
  };
}
