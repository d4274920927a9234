#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
// Where a scenario's allocations come from: the built gateway in this process over the sandbox, sampled
// by V8's heap profiler with collected objects included, so short-lived garbage counts (what GC pays for).
//
//   npm run build && node bench/alloc.mjs Q2 [requests] [rows]
import { Session } from 'node:inspector/promises';

const { loadConfig } = await import('../dist/config.js');
const { createGateway } = await import('../dist/gateway.js');
const { createLogger } = await import('../dist/logger.js');
const { startSandbox, demo } = await import('../dist/sandbox/index.js');
const autocannon = (await import('./node_modules/autocannon/autocannon.js')).default;
const scenario = process.argv[2] ?? 'Q1';
const sandbox = await startSandbox({ port: 0 });
const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', SANDBOX: '0' };
for (const s of ['matatika', 'cadenya', 'moltaro', 'upsun'])
  env[`${s.toUpperCase()}_API_URL`] = sandbox.urlOf(s);
const g = createGateway({ config: loadConfig(env), logger: createLogger('warn') });
const server = createServer(g);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/graphql`;
const { scenarios } = await import('./lib/scenarios.mjs');
const sc = scenarios({
  profileId: demo.matatika.profileIds.demo,
  workspaceId: demo.matatika.workspaceIds.large,
}).find((s) => s.id === scenario);
const opts = {
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.matatika.tokens.demo}` },
  body: JSON.stringify({ query: sc.gateway.query, variables: sc.gateway.variables }),
  connections: 10,
};
await autocannon({ ...opts, duration: 2 });
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const N = Number(process.argv[3] ?? 4000);
const r = await autocannon({ ...opts, amount: N });
const { profile } = await session.post('HeapProfiler.stopSampling');
mkdirSync(new URL('./.work/', import.meta.url), { recursive: true });
writeFileSync(new URL('./.work/alloc.heapprofile', import.meta.url), JSON.stringify(profile));
// Sampled bytes by the function that allocated them.
const by = new Map();
let total = 0;
const walk = (n) => {
  const cf = n.callFrame;
  const k = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:.*dist\//, 'gw:')}:${cf.lineNumber}`;
  const self = n.selfSize;
  total += self;
  by.set(k, (by.get(k) ?? 0) + self);
  for (const c of n.children) walk(c);
};
walk(profile.head);
console.log(`requests ${r['2xx']}, sampled bytes per request ~${(total / r['2xx'] / 1024).toFixed(1)} KB`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 40)))
  console.log(`${(v / r['2xx']).toFixed(0).padStart(7)} B/req  ${k}`);
server.close();
await g.dispose();
await sandbox.close();
process.exit(0);
