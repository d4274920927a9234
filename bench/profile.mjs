#!/usr/bin/env node
// Where one scenario's CPU goes: the gateway as production runs it, under --cpu-prof, sent a fixed load over
// the sandbox; prints self time by package and by function, and keeps the .cpuprofile for DevTools.
//
//   node bench/profile.mjs --scenario Q2 --seconds 10 [--dir /path/to/checkout] [--env METRICS=0] [--headers k=v]
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, rootDir, workDir } from './lib/config.mjs';
import { freePort, killAll, killAllNow, spawnTracked, stopChild, waitForGraphQL } from './lib/procs.mjs';
import { scenarios } from './lib/scenarios.mjs';
import { startSandbox } from './lib/systems.mjs';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'Q1' },
    seconds: { type: 'string', default: '10' },
    dir: { type: 'string', default: '.' },
    env: { type: 'string', default: '' },
    headers: { type: 'string', default: '' },
    top: { type: 'string', default: '30' },
    connections: { type: 'string', default: '10' },
    distinct: { type: 'boolean', default: false },
  },
});
process.on('exit', killAllNow);

async function main() {
  const dir = resolve(rootDir, args.dir);
  const autocannon = (await import(join(benchDir, 'node_modules', 'autocannon', 'autocannon.js'))).default;
  const sandbox = await startSandbox(0);
  const out = join(workDir, 'profiles', `${args.scenario}-${Date.now()}`);
  mkdirSync(out, { recursive: true });
  const port = await freePort();
  const env = Object.fromEntries(
    args.env
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  );
  const info = spawnTracked(
    'gateway',
    process.execPath,
    [
      '--max-semi-space-size=8',
      '--max-old-space-size=128',
      '--cpu-prof',
      `--cpu-prof-dir=${out}`,
      join(dir, 'dist', 'index.js'),
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        ...Object.fromEntries(
          ['matatika', 'cadenya', 'moltaro', 'upsun'].map((s) => [
            `${s.toUpperCase()}_API_URL`,
            `${sandbox.url}/${s}`,
          ]),
        ),
        PORT: String(port),
        LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  const token = sandbox.demo.matatika.tokens.demo;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  const ids = {
    profileId: sandbox.demo.matatika.profileIds.demo,
    workspaceId: sandbox.demo.matatika.workspaceIds.large,
  };
  const scenario = scenarios(ids).find((s) => s.id === args.scenario);
  let n = 0;
  // --distinct: a new document on every request, as the bench's distinct-documents run sends them.
  const distinct = args.distinct && scenario.gateway.distinct;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...Object.fromEntries(
        args.headers
          .split(',')
          .filter(Boolean)
          .map((kv) => kv.split('=')),
      ),
    },
    body: JSON.stringify({ query: scenario.gateway.query, variables: scenario.gateway.variables }),
    ...(distinct
      ? {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                body: JSON.stringify({ query: distinct.query(n++), variables: scenario.gateway.variables }),
              }),
            },
          ],
        }
      : {}),
    connections: Number(args.connections),
    duration: Number(args.seconds),
  });
  console.log(`${args.scenario}: ${result.requests.average} req/s, ${result.non2xx} non-2xx`);
  await stopChild(info, 10_000);
  const file = join(
    out,
    readdirSync(out).find((f) => f.endsWith('.cpuprofile')),
  );
  summarize(JSON.parse(readFileSync(file, 'utf8')), Number(args.top));
  console.log(`profile: ${file}`);
}

/** Self time by package (or the gateway's own file) and by function. */
function summarize(profile, top) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const byPackage = new Map();
  const byFunction = new Map();
  const add = (map, key, t) => map.set(key, (map.get(key) ?? 0) + t);
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url.includes('node_modules/')
      ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')
      : url.includes('/dist/')
        ? `gateway ${url.replace(/^.*\/dist\//, '')}`
        : url.startsWith('node:')
          ? url
          : functionName || '(native)';
    add(byPackage, where, t);
    add(byFunction, `${functionName || '(anonymous)'}  ${where}:${lineNumber}`, t);
  }
  const print = (title, map) => {
    console.log(`--- ${title}`);
    for (const [key, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
  };
  print('self time by package', byPackage);
  print('self time by function', byFunction);
}

main().then(
  async () => {
    await killAll();
    process.exit(0);
  },
  async (error) => {
    console.error(error);
    await killAll();
    process.exit(1);
  },
);
