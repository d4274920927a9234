#!/usr/bin/env node
import { createServer } from 'node:http';
// The benchmark's `bare` reference system: the floor of what any Node gateway can do. A node:http server
// that forwards each request it receives (method, path, body, the caller's `authorization`) to the
// upstream through one undici Pool, the gateway's own undici and pool settings, reads the whole answer and
// sends the upstream's status and body back. No GraphQL, no parsing, no validation, no logging: the two
// HTTP hops a gateway cannot avoid, and nothing else. The harness sends it exactly the request `raw`
// sends to the sandbox (the scenario's main upstream request).
//
//   BARE_UPSTREAM=http://127.0.0.1:PORT/matatika node bench/bare-proxy.mjs   (forked by bench/run.mjs)
//
// Environment: BARE_UPSTREAM (the upstream's base URL, required), BARE_PORT (default 0: the OS picks),
// BARE_HOST (default 127.0.0.1), BARE_CONNECTIONS (the pool's bound, default 64 like the gateway's).
// Over IPC it sends {type:'ready', url} once it listens; without IPC it prints the URL. It exits on
// SIGTERM/SIGINT or when the parent disconnects.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The gateway's undici (the root package's), not whichever copy bench/node_modules holds.
const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const undiciPath = createRequire(join(rootDir, 'package.json')).resolve('undici');
const { Pool } = await import(pathToFileURL(undiciPath).href);

const upstream = new URL(process.env.BARE_UPSTREAM ?? '');
const basePath = upstream.pathname.replace(/\/+$/, '');
// The same pool settings as src/sources/transport.ts.
const pool = new Pool(upstream.origin, {
  connections: Number(process.env.BARE_CONNECTIONS ?? 64),
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

const server = createServer(async (req, res) => {
  try {
    const body = await readBody(req);
    const headers = {};
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    if (body) headers['content-type'] = req.headers['content-type'] ?? 'application/json';
    const answer = await pool.request({ method: req.method, path: `${basePath}${req.url}`, headers, body });
    const payload = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      'content-length': payload.length,
    });
    res.end(payload);
  } catch (error) {
    const payload = JSON.stringify({ error: String(error?.code ?? error?.message ?? error) });
    res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  }
});
server.keepAliveTimeout = 30_000;

server.listen(Number(process.env.BARE_PORT ?? 0), process.env.BARE_HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  const url = `http://${address}:${port}`;
  if (process.send) process.send({ type: 'ready', url });
  else console.log(`bare proxy at ${url} -> ${upstream.href}`);
});

let closing = false;
function shutdown() {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections?.();
  pool.close().finally(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);
