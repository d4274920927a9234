#!/usr/bin/env node
// A/B of CPU per request: two builds of the gateway (or one build with two environments) over the same
// sandbox, sent the same fixed load in alternating runs. CPU is utime + stime of the gateway process
// (every thread) from /proc/<pid>/stat, read before and after each run, divided by the requests it served.
//
//   npm run ab -- --a main                      # the build of a git revision against the working tree
//   npm run ab -- --a /path/to/checkout         # a checkout that has node_modules (built here if needed)
//   npm run ab -- --a . --env-b METRICS=0       # one build, a feature off against on
//   npm run ab -- --scenario Q2 --requests 10000 --rounds 6
//
// Run it with nothing else busy on the machine; read the median, and the spread beside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, rootDir, workDir } from './lib/config.mjs';
import {
  CLOCK_TICK_US,
  cpuTicks,
  freePort,
  killAll,
  killAllNow,
  spawnTracked,
  waitForGraphQL,
} from './lib/procs.mjs';
import { scenarios } from './lib/scenarios.mjs';
import { installBenchDeps, startSandbox } from './lib/systems.mjs';

const { values: args } = parseArgs({
  options: {
    a: { type: 'string', default: 'main' },
    b: { type: 'string', default: '.' },
    'env-a': { type: 'string', default: '' },
    'env-b': { type: 'string', default: '' },
    scenario: { type: 'string', default: 'Q1' },
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3000' },
    headers: { type: 'string', default: '' },
    distinct: { type: 'boolean', default: false },
  },
});

const log = (message) => console.log(`[ab] ${message}`);
process.on('exit', killAllNow);

/** A checkout to measure: an existing directory, or a git revision checked out (and built) under bench/.work. */
function checkout(spec) {
  const dir = resolve(rootDir, spec);
  if (existsSync(join(dir, 'package.json'))) return build(dir);
  const sha = execFileSync('git', ['rev-parse', '--short', spec], { cwd: rootDir, encoding: 'utf8' }).trim();
  const tree = join(workDir, 'ab', sha);
  if (!existsSync(tree)) {
    mkdirSync(join(workDir, 'ab'), { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', tree, sha], { cwd: rootDir, stdio: 'ignore' });
  }
  if (!existsSync(join(tree, 'node_modules'))) {
    log(`npm ci in ${tree}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: tree, stdio: 'ignore' });
  }
  return build(tree);
}

function build(dir) {
  const entry = join(dir, 'dist', 'index.js');
  const stale = !existsSync(entry) || statSync(entry).mtimeMs < newest(join(dir, 'src'));
  if (stale) {
    log(`building ${dir}`);
    const res = spawnSync('npm', ['run', 'build'], { cwd: dir, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`build failed in ${dir}:\n${res.stdout}${res.stderr}`);
  }
  return dir;
}

function newest(dir) {
  const out = execFileSync('find', [dir, '-type', 'f', '-printf', '%T@\n'], { encoding: 'utf8' });
  return Math.max(
    ...out
      .split('\n')
      .filter(Boolean)
      .map((t) => Number(t) * 1000),
  );
}

function serveFlags(dir) {
  const serve = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.serve;
  return (/node((?: --[\w-]+=\S+)*) dist\/index\.js/.exec(serve)?.[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

const envOf = (text) =>
  Object.fromEntries(
    text
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  );

async function startSide(name, dir, env, sandbox, token) {
  const port = await freePort();
  const info = spawnTracked(name, process.execPath, [...serveFlags(dir), join(dir, 'dist', 'index.js')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      SANDBOX: '0',
      MATATIKA_API_URL: sandbox.urlOf('matatika'),
      CADENYA_API_URL: sandbox.urlOf('cadenya'),
      MOLTARO_API_URL: sandbox.urlOf('moltaro'),
      UPSUN_API_URL: sandbox.urlOf('upsun'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { name, dir, env, info, url, runs: [] };
}

async function load(autocannon, side, body, headers, options) {
  const before = cpuTicks(side.info.child.pid);
  const started = performance.now();
  const result = await autocannon({
    url: side.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections: Number(args.connections),
    ...options,
  });
  const ticks = cpuTicks(side.info.child.pid) - before;
  // Timed here: autocannon stops a fixed-count run on its one-second tick, so its own rate is coarse.
  const seconds = (performance.now() - started) / 1000;
  const served = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${side.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    served,
    cpuUsPerRequest: (ticks * CLOCK_TICK_US) / served,
    requestsPerSecond: served / seconds,
  };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  installBenchDeps({ noInstall: false }, log);
  const autocannon = (await import(join(benchDir, 'node_modules', 'autocannon', 'autocannon.js'))).default;
  const dirs = { a: checkout(args.a), b: checkout(args.b) };
  const sandbox = await startSandboxDirect();
  const ids = {
    profileId: sandbox.demo.matatika.profileIds.demo,
    workspaceId: sandbox.demo.matatika.workspaceIds.large,
  };
  const token = sandbox.demo.matatika.tokens.demo;
  const scenario = scenarios(ids).find((s) => s.id === args.scenario);
  if (!scenario) throw new Error(`no scenario ${args.scenario}`);
  const body = JSON.stringify({ query: scenario.gateway.query, variables: scenario.gateway.variables });
  // --distinct: a new document on every request (the scenario's alias numbered per request).
  let n = 0;
  const distinct = args.distinct ? scenario.gateway.distinct : null;
  if (args.distinct && !distinct) throw new Error(`${args.scenario} has no distinct variant`);
  const perRequest = distinct
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
    : {};
  const headers = { authorization: `Bearer ${token}`, ...envOf(args.headers) };
  const sides = [
    await startSide('A', dirs.a, envOf(args['env-a']), sandbox, token),
    await startSide('B', dirs.b, envOf(args['env-b']), sandbox, token),
  ];
  log(`A: ${dirs.a} ${args['env-a']}`);
  log(`B: ${dirs.b} ${args['env-b']}`);
  log(
    `${args.scenario}, ${args.requests} requests x ${args.rounds} rounds per side, ${args.connections} connections`,
  );
  for (const side of sides)
    await load(autocannon, side, body, headers, { ...perRequest, duration: Number(args.warmup) / 1000 });
  for (let round = 0; round < Number(args.rounds); round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const run = await load(autocannon, side, body, headers, {
        ...perRequest,
        amount: Number(args.requests),
      });
      side.runs.push(run);
      log(`round ${round + 1} ${side.name}: ${run.cpuUsPerRequest.toFixed(1)} µs/req`);
    }
  }
  const summary = sides.map((side) => ({
    side: side.name,
    dir: side.dir,
    env: side.env,
    cpuUsPerRequest: median(side.runs.map((r) => r.cpuUsPerRequest)),
    cpuRange: [
      Math.min(...side.runs.map((r) => r.cpuUsPerRequest)),
      Math.max(...side.runs.map((r) => r.cpuUsPerRequest)),
    ],
    requestsPerSecond: median(side.runs.map((r) => r.requestsPerSecond)),
    runs: side.runs,
  }));
  const [a, b] = summary;
  const range = (side) => side.cpuRange.map((x) => x.toFixed(0)).join('–');
  const change = ((b.cpuUsPerRequest - a.cpuUsPerRequest) / a.cpuUsPerRequest) * 100;
  // req/s is left out on purpose: a fixed-count autocannon run ends on a one-second tick.
  const line = `${args.scenario} CPU per request A ${a.cpuUsPerRequest.toFixed(0)} µs (${range(a)}) vs B ${b.cpuUsPerRequest.toFixed(0)} µs (${range(b)}): ${change > 0 ? '+' : ''}${change.toFixed(1)}%`;
  console.log(`\n${line}`);
  mkdirSync(join(workDir, 'ab'), { recursive: true });
  writeFileSync(
    join(workDir, 'ab', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ args, summary, line }, null, 2),
  );
}

/** The sandbox in its own process, over every source, at 0 ms. */
async function startSandboxDirect() {
  const sandbox = await startSandbox(0);
  return { ...sandbox, urlOf: (source) => `${sandbox.url}/${source}` };
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
