#!/usr/bin/env node
// The benchmark: this gateway vs GraphQL Mesh v1 vs the raw upstream, side by side, on 127.0.0.1 only.
//
//   npm run bench                      full run (5 rounds x 5 s per system, scenario and latency)
//   npm run bench -- --quick           under two minutes (2 rounds x 1 s); a check, not a result: it writes
//                                      to bench/.work/quick/ (gitignored), never over RESULTS.md
//   npm run bench -- --systems mesh,raw --latencies 0 --scenarios Q1,Q2 --rounds 3 --duration 2
//   npm run bench -- --verify-only     start everything, check and print every system's answers, stop
//
// Systems: gateway, cached (the same gateway with its response cache on: RESPONSE_CACHE_TTL_MS, in memory,
// one caller repeating one operation, so the best case; its hit ratio is reported beside it), mesh, raw.
//
// For each latency (0 ms and 20 ms injected by the sandbox) it starts a sandbox, composes the Mesh
// supergraph against it, starts this gateway (compiled JS, NODE_ENV=production) and Mesh (Hive Gateway,
// NODE_ENV=production), proves that both answer every scenario with the same data, then for each scenario
// warms each system up and alternates the systems over several rounds of autocannon (the first system
// rotates from round to round). See lib/scenarios.mjs for the queries and what "raw" means per scenario.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  failureReport,
  forkTracked,
  freePort,
  ipcClient,
  killAll,
  killAllNow,
  rssBytes,
  spawnTracked,
  stopChild,
  waitForGraphQL,
} from './lib/procs.mjs';
import { writeChart, writeMarkdown } from './lib/report.mjs';
import { scenarios as buildScenarios, forbiddenChecks } from './lib/scenarios.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');
const workDir = join(benchDir, '.work');
const quickDir = join(workDir, 'quick');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    systems: { type: 'string', default: 'gateway,cached,mesh,raw' },
    latencies: { type: 'string' },
    scenarios: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'verify-only': { type: 'boolean', default: false },
    'time-limit': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 8)
      .join('\n'),
  );
  process.exit(0);
}

const quick = args.quick;
const config = {
  quick,
  systems: args.systems
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  latencies: (args.latencies ?? '0,20').split(',').map(Number),
  scenarioIds: args.scenarios ? args.scenarios.split(',').map((s) => s.trim()) : null,
  rounds: Number(args.rounds ?? (quick ? 2 : 5)),
  durationSec: Number(args.duration ?? (quick ? 1 : 5)),
  // Warm-up before each scenario's first round, per system: seconds, or in quick mode a number of requests
  // (10 per connection), which costs a fast system a fraction of a second instead of a whole one.
  warmupSec: args.warmup ? Number(args.warmup) : quick ? 0 : 2,
  warmupRequests: args.warmup ? 0 : quick ? 100 : 0,
  connections: Number(args.connections ?? 10),
};
for (const s of config.systems) {
  if (!['gateway', 'cached', 'mesh', 'raw'].includes(s))
    fail(`unknown system "${s}" (expected gateway, cached, mesh, raw)`);
}
if (config.latencies.some((l) => !Number.isFinite(l) || l < 0))
  fail('--latencies takes numbers of ms, e.g. 0,20');
if (!(config.rounds >= 1 && config.durationSec >= 1 && config.connections >= 1)) {
  fail('--rounds, --duration (s) and --connections must be at least 1');
}

// Bounded: the whole run has a hard time limit, after which every child is killed and the run fails.
const timeLimitSec = Number(args['time-limit'] ?? (quick ? 170 : 28 * 60));
const deadline = setTimeout(() => {
  console.error(`\nbench: time limit of ${timeLimitSec} s reached; stopping every child process`);
  killAll(1000).finally(() => process.exit(2));
}, timeLimitSec * 1000);
deadline.unref();
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}; stopping every child process`);
    killAll(1000).finally(() => process.exit(130));
  });
}

const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

function fail(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

main().then(
  async () => {
    await killAll();
    clearTimeout(deadline);
    log('done');
    process.exit(0);
  },
  async (error) => {
    console.error(`\nbench failed: ${error?.stack ?? error}`);
    await killAll();
    process.exit(1);
  },
);

async function main() {
  mkdirSync(workDir, { recursive: true });
  const resultsDir = quick ? quickDir : join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const useGateway = config.systems.includes('gateway');
  const useCached = config.systems.includes('cached');
  const useMesh = config.systems.includes('mesh');

  installBenchDeps();
  if (useGateway || useCached) buildGateway();
  const autocannon = (await import('autocannon')).default;

  const perScenarioSec =
    config.systems.length * (config.rounds * config.durationSec + (config.warmupSec || 0.5));
  const plannedScenarios = config.scenarioIds?.length ?? 5;
  log(
    `plan: systems ${config.systems.join(', ')}; latencies ${config.latencies.join(', ')} ms; ` +
      `${config.rounds} rounds x ${config.durationSec} s, ${config.connections} connections, ` +
      `warm-up ${config.warmupRequests ? `${config.warmupRequests} requests` : `${config.warmupSec} s`}; ` +
      `about ${Math.round((config.latencies.length * plannedScenarios * perScenarioSec) / 60)} min of load`,
  );

  const phases = [];
  for (const latencyMs of config.latencies) {
    phases.push(await runPhase(latencyMs, { useGateway, useCached, useMesh, autocannon }));
  }
  if (args['verify-only']) return;

  const result = {
    date: new Date().toISOString(),
    quick,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machineInfo(),
    versions: versionInfo(),
    config,
    phases,
  };
  const stamp = result.date.replace(/[:.]/g, '-');
  const jsonPath = join(resultsDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const chartPath = join(resultsDir, 'chart.svg');
  writeChart(chartPath, result);
  const mdPath = join(quick ? quickDir : benchDir, 'RESULTS.md');
  writeMarkdown(mdPath, result, { chartPath, jsonPath, mdPath });
  log(`wrote ${relative(rootDir, jsonPath)}, ${relative(rootDir, mdPath)}, ${relative(rootDir, chartPath)}`);
  printSummary(result);
}

// --- setup -------------------------------------------------------------------------------------------

function installBenchDeps() {
  if (args['no-install'] || existsSync(join(benchDir, 'node_modules', '@graphql-hive', 'gateway'))) return;
  log('installing the benchmark dependencies (npm ci --prefix bench)');
  const logFile = join(workDir, 'install.log');
  const res = spawnSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], {
    cwd: rootDir,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  writeFileSync(logFile, `${res.stdout ?? ''}\n${res.stderr ?? ''}`);
  if (res.status !== 0) throw new Error(`npm ci --prefix bench failed (see ${relative(rootDir, logFile)})`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildGateway() {
  const entry = join(rootDir, 'dist', 'index.js');
  if (args['no-build']) {
    if (!existsSync(entry))
      throw new Error('--no-build, but dist/index.js does not exist: run npm run build');
    return;
  }
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(rootDir, 'src'))) {
    log('gateway build is newer than src/: not rebuilding');
    return;
  }
  log('building the gateway (npm run build)');
  const res = spawnSync('npm', ['run', 'build'], { cwd: rootDir, encoding: 'utf8', timeout: 5 * 60_000 });
  if (res.status !== 0 || !existsSync(entry)) {
    throw new Error(
      `npm run build failed, so the gateway cannot be measured (run with --systems mesh,raw to measure the others):\n${res.stdout}\n${res.stderr}`,
    );
  }
}

// --- the systems -------------------------------------------------------------------------------------

async function startSandbox(latencyMs) {
  const info = forkTracked(`sandbox(${latencyMs} ms)`, join(benchDir, 'sandbox-server.ts'), {
    cwd: rootDir,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_LATENCY_MS: String(latencyMs) },
  });
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sandbox did not start\n${failureReport(info)}`)),
      30_000,
    );
    info.child.on('message', (m) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      }
    });
    info.child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited before it was ready\n${failureReport(info)}`));
    });
  });
  const call = ipcClient(info);
  return {
    info,
    url: ready.url,
    matatikaUrl: ready.matatikaUrl,
    demo: ready.demo,
    totals: async () => (await call({ type: 'totals' })).totals,
    clearLog: () => call({ type: 'clearLog' }),
  };
}

/** This gateway as production runs it: compiled JS, NODE_ENV=production, the sandbox as its upstream. */
/**
 * The V8 flags of `npm run serve`, the production command, so the gateway runs here exactly as it is
 * run in production (and its own pid is the one whose RSS is read, not npm's).
 */
function serveFlags() {
  const serve = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')).scripts.serve;
  const match = /^(?:NODE_ENV=production )?(?:exec )?node((?: --[\w-]+=\S+)*) dist\/index\.js$/.exec(
    serve ?? '',
  );
  if (!match)
    throw new Error(
      `package.json scripts.serve is not "[NODE_ENV=production] [exec] node [--flag=value ...] dist/index.js": ${serve}`,
    );
  return match[1].trim().split(/\s+/).filter(Boolean);
}

/** `env` adds configuration: the `cached` system is this gateway with its response cache on. */
async function startGateway(matatikaUrl, token, name = 'gateway', env = {}) {
  const port = await freePort();
  const info = spawnTracked(name, process.execPath, [...serveFlags(), join(rootDir, 'dist', 'index.js')], {
    cwd: rootDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SANDBOX: '0',
      MATATIKA_API_URL: matatikaUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { info, url };
}

/** Composes the Mesh supergraph against this sandbox, then serves it with Hive Gateway. */
async function startMesh(matatikaUrl, latencyMs, token) {
  const supergraph = join(workDir, `supergraph-${latencyMs}ms.graphql`);
  execFileSync(
    process.execPath,
    [join(benchDir, 'node_modules', '@graphql-mesh', 'compose-cli', 'esm', 'bin.js'), '-o', supergraph],
    {
      cwd: join(benchDir, 'mesh'),
      env: { ...process.env, MATATIKA_API_URL: matatikaUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    },
  );
  const port = await freePort();
  const info = spawnTracked(
    'mesh',
    process.execPath,
    [
      '--no-deprecation',
      join(benchDir, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
      'supergraph',
      supergraph,
      '-c',
      join(benchDir, 'mesh', 'gateway.config.ts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      '1',
    ],
    { cwd: join(benchDir, 'mesh'), env: { ...process.env, NODE_ENV: 'production' } },
  );
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(info, url, { authorization: `Bearer ${token}` });
  return { info, url };
}

// --- one latency -------------------------------------------------------------------------------------

async function runPhase(latencyMs, { useGateway, useCached, useMesh, autocannon }) {
  log(`--- ${latencyMs} ms upstream latency ---`);
  const sandbox = await startSandbox(latencyMs);
  const m = sandbox.demo?.matatika ?? {};
  const token = m.tokens?.demo ?? 'matatika-demo-token';
  const profileId = m.profileIds?.demo ?? m.profileId ?? 'auth0|6a21dc7aa1db2e036a222942';
  const workspaceId = m.workspaceIds?.large ?? m.largeWorkspaceId ?? '1f4dd699-ecb3-4e7f-ab8c-3c077ad51272';
  const forbiddenWorkspaceId = m.workspaceIds?.forbidden ?? m.forbiddenWorkspaceId ?? null;
  log(`sandbox at ${sandbox.url}`);

  const [gateway, cached, mesh] = await Promise.all([
    useGateway ? startGateway(sandbox.matatikaUrl, token) : null,
    useCached
      ? startGateway(sandbox.matatikaUrl, token, 'cached', { RESPONSE_CACHE_TTL_MS: String(CACHE_TTL_MS) })
      : null,
    useMesh ? startMesh(sandbox.matatikaUrl, latencyMs, token) : null,
  ]);
  if (gateway) log(`gateway at ${gateway.url} (pid ${gateway.info.child.pid})`);
  if (cached) log(`gateway with its response cache at ${cached.url} (pid ${cached.info.child.pid})`);
  if (mesh) log(`mesh at ${mesh.url} (pid ${mesh.info.child.pid})`);

  const targets = {
    gateway: gateway && { url: gateway.url, pid: gateway.info.child.pid },
    cached: cached && { url: cached.url, pid: cached.info.child.pid },
    mesh: mesh && { url: mesh.url, pid: mesh.info.child.pid },
    raw: { url: sandbox.matatikaUrl, pid: sandbox.info.child.pid },
  };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // A known starting state: the demo caller's default workspace is the large one (Q3 and Q5 read it).
  await fetch(`${sandbox.matatikaUrl}/api/profiles/${encodeURIComponent(profileId)}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ defaultWorkspace: { id: workspaceId } }),
  });

  let scenarioList = buildScenarios({ profileId, workspaceId });
  if (config.scenarioIds) scenarioList = scenarioList.filter((s) => config.scenarioIds.includes(s.id));

  const verified = await verify(scenarioList, targets, headers, sandbox, forbiddenWorkspaceId);
  const phase = { latencyMs, scenarios: [] };
  if (args['verify-only']) {
    await Promise.all(
      [gateway, cached, mesh, { info: sandbox.info }].filter(Boolean).map((s) => stopChild(s.info)),
    );
    return phase;
  }

  for (const scenario of scenarioList) {
    const entry = {
      id: scenario.id,
      title: scenario.title,
      raw: scenario.raw.what,
      callsPerOpSingle: verified[scenario.id].calls,
      systems: {},
    };
    const requests = {};
    for (const system of config.systems) {
      requests[system] = autocannonRequest(
        system,
        scenario,
        targets[system].url,
        headers,
        verified[scenario.id],
      );
      entry.systems[system] = { rounds: [] };
    }
    // Warm-up (not measured): JIT, connection pools, caches of parsed documents.
    for (const system of config.systems) {
      if (config.warmupRequests) await warmUp(requests[system], config.warmupRequests);
      else if (config.warmupSec) await load(autocannon, requests[system], config.warmupSec);
    }
    for (let round = 0; round < config.rounds; round++) {
      const order = rotate(config.systems, round);
      for (const system of order) {
        const before = await sandbox.totals();
        const r = await load(autocannon, requests[system], config.durationSec);
        // In-flight upstream calls of the last requests land shortly after autocannon stops.
        await new Promise((resolve) => setTimeout(resolve, 150 + latencyMs * 3));
        const after = await sandbox.totals();
        await sandbox.clearLog();
        const completed = r.requests.total || 0;
        // Every request sent (completed or cut off when the round ended) ran its upstream calls to the end
        // during the pause above, so calls per request sent is the per-operation cost.
        const sent = r.requests.sent || completed;
        const ok = Math.max(0, (r['2xx'] || 0) - (r.mismatches || 0));
        entry.systems[system].rounds.push({
          opsPerSec: ok / (r.duration || config.durationSec),
          p50: r.latency.p50,
          p99: r.latency.p99,
          completed,
          sent,
          ok,
          non2xx: r.non2xx || 0,
          errors: r.errors || 0,
          timeouts: r.timeouts || 0,
          mismatches: r.mismatches || 0,
          upstreamCalls: after.all - before.all,
          durationSec: r.duration,
        });
      }
    }
    for (const system of config.systems) {
      const s = entry.systems[system];
      const ops = s.rounds.map((r) => r.opsPerSec);
      s.opsMedian = median(ops);
      s.opsMin = Math.min(...ops);
      s.opsMax = Math.max(...ops);
      s.p50 = median(s.rounds.map((r) => r.p50));
      s.p99 = median(s.rounds.map((r) => r.p99));
      const sent = s.rounds.reduce((a, r) => a + r.sent, 0);
      const calls = s.rounds.reduce((a, r) => a + r.upstreamCalls, 0);
      s.upstreamCallsPerOp = sent ? calls / sent : null;
      s.failed = s.rounds.reduce((a, r) => a + r.non2xx + r.errors + r.mismatches, 0);
      // The share of operations answered without any upstream call: 1 - (calls per op under load) /
      // (calls of the same operation uncached, counted once by verify() on its first, missing, request).
      const uncachedCalls = verified[scenario.id].calls.cached;
      if (system === 'cached' && uncachedCalls && s.upstreamCallsPerOp != null) {
        s.hitRatio = Math.max(0, Math.min(1, 1 - s.upstreamCallsPerOp / uncachedCalls));
      }
      const mem = system === 'raw' ? null : rssBytes(targets[system].pid);
      s.rssBytes = mem?.rss ?? null;
      s.rssPeakBytes = mem?.peak ?? null;
    }
    const g = entry.systems.gateway?.opsMedian;
    entry.ratios = {
      cachedOverGateway: g && entry.systems.cached ? entry.systems.cached.opsMedian / g : null,
      gatewayOverMesh: g && entry.systems.mesh ? g / entry.systems.mesh.opsMedian : null,
      gatewayOverRaw: g && entry.systems.raw ? g / entry.systems.raw.opsMedian : null,
      meshOverRaw:
        entry.systems.mesh && entry.systems.raw
          ? entry.systems.mesh.opsMedian / entry.systems.raw.opsMedian
          : null,
    };
    log(
      `${scenario.id} ${config.systems
        .map((sys) => {
          const s = entry.systems[sys];
          const rss = s.rssBytes ? ` ${(s.rssBytes / 2 ** 20).toFixed(0)} MB` : '';
          const bad = s.failed ? ` FAILED ${s.failed}` : '';
          const hits = s.hitRatio != null ? ` hit ratio ${(s.hitRatio * 100).toFixed(1)}%` : '';
          return `${sys} ${s.opsMedian.toFixed(0)} ops/s p99 ${s.p99} ms ${s.upstreamCallsPerOp?.toFixed(2)} calls/op${hits}${rss}${bad}`;
        })
        .join(' | ')}`,
    );
    phase.scenarios.push(entry);
  }

  await Promise.all([gateway, cached, mesh].filter(Boolean).map((s) => stopChild(s.info)));
  await stopChild(sandbox.info);
  return phase;
}

// Long enough to outlast a whole run: the `cached` system measures hits, not expiry.
const CACHE_TTL_MS = 3_600_000;

/** The `cached` system sends the gateway's own query. */
function queryOf(system) {
  return system === 'cached' ? 'gateway' : system;
}

function rotate(list, n) {
  const k = n % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function autocannonRequest(system, scenario, url, headers, verified) {
  if (system === 'raw') {
    const raw = scenario.raw;
    return {
      url: `${url}${raw.path}`,
      method: raw.method,
      headers: raw.body ? headers : { authorization: headers.authorization },
      body: raw.body ? JSON.stringify(raw.body) : undefined,
      expectBody: verified.bodies.raw ?? undefined,
      connections: config.connections,
    };
  }
  const q = scenario[queryOf(system)];
  return {
    url,
    method: 'POST',
    headers,
    body: JSON.stringify({ query: q.query, variables: q.variables }),
    expectBody: verified.bodies[system] ?? undefined,
    connections: config.connections,
  };
}

function load(autocannon, request, durationSec) {
  return new Promise((resolve, reject) => {
    autocannon({ ...request, duration: durationSec, timeout: 10 }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/**
 * Sends `count` copies of a request, `connections` at a time, with fetch. Used for the quick mode's warm-up:
 * autocannon only stops on its one-second tick, so even a 100-request autocannon run costs a second.
 */
async function warmUp(request, count) {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.connections, count) }, worker));
}

// --- correctness before speed -----------------------------------------------------------------------

async function post(url, headers, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Sends every scenario once to every system and throws unless each answer is complete, error-free and the
 * same data on both gateways. Counts the upstream calls of that single operation, keeps each exact body
 * (autocannon then counts any answer that differs as a mismatch) and prints a sample. Also checks that a
 * 403 from the upstream surfaces as a GraphQL error on both gateways.
 */
async function verify(scenarioList, targets, headers, sandbox, forbiddenWorkspaceId) {
  const out = {};
  for (const scenario of scenarioList) {
    const v = { bodies: {}, calls: {}, canonical: {} };
    for (const system of config.systems) {
      const t = targets[system];
      const before = await sandbox.totals();
      let status;
      let text;
      if (system === 'raw') {
        const raw = scenario.raw;
        const send = async () => {
          const res = await fetch(`${t.url}${raw.path}`, {
            method: raw.method,
            headers: raw.body ? headers : { authorization: headers.authorization },
            body: raw.body ? JSON.stringify(raw.body) : undefined,
            signal: AbortSignal.timeout(15_000),
          });
          return { status: res.status, text: await res.text() };
        };
        ({ status, text } = await send());
        const again = await send();
        if (status < 200 || status > 299)
          throw new Error(`raw ${scenario.id}: HTTP ${status}: ${text.slice(0, 300)}`);
        // Only an answer that is byte-identical from one request to the next can be checked under load.
        v.bodies.raw = again.text === text ? text : null;
        v.calls.raw = 1;
        continue;
      }
      const q = scenario[queryOf(system)];
      ({ status, text } = await post(t.url, headers, { query: q.query, variables: q.variables }));
      const after = await sandbox.totals();
      v.calls[system] = after.all - before.all;
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`${system} ${scenario.id}: HTTP ${status}, not JSON: ${text.slice(0, 300)}`);
      }
      if (status !== 200 || json.errors?.length || !json.data) {
        throw new Error(`${system} ${scenario.id}: HTTP ${status}: ${text.slice(0, 1500)}`);
      }
      v.canonical[system] = q.canonical(json.data);
      const again = await post(t.url, headers, { query: q.query, variables: q.variables });
      v.bodies[system] = again.text === text ? text : null;
      const sample = text.length > 360 ? `${text.slice(0, 360)}… (${text.length} bytes)` : text;
      log(`${scenario.id} ${system}: ${v.calls[system]} upstream calls; ${sample}`);
    }
    checkScenario(scenario, v.canonical);
    if (v.canonical.gateway && v.canonical.cached) {
      if (JSON.stringify(v.canonical.gateway) !== JSON.stringify(v.canonical.cached))
        throw new Error(`${scenario.id}: the gateway answers differently with its response cache on`);
    }
    if (v.canonical.gateway && v.canonical.mesh) {
      const a = JSON.stringify(v.canonical.gateway);
      const b = JSON.stringify(v.canonical.mesh);
      if (a !== b)
        throw new Error(`${scenario.id}: the gateway and Mesh disagree:\n gateway ${a}\n mesh    ${b}`);
      log(`${scenario.id}: gateway and Mesh answer the same data`);
    }
    await sandbox.clearLog();
    out[scenario.id] = v;
  }
  if (forbiddenWorkspaceId) {
    const checks = forbiddenChecks(forbiddenWorkspaceId);
    for (const system of ['gateway', 'mesh']) {
      if (!targets[system]) continue;
      const { status, text } = await post(targets[system].url, headers, checks[system]);
      const json = JSON.parse(text);
      const error = json.errors?.[0];
      const surfaced =
        error &&
        (error.extensions?.code === 'FORBIDDEN' ||
          error.extensions?.http?.status === 403 ||
          error.extensions?.upstream?.status === 403 ||
          /403|forbidden/i.test(error.message));
      if (!surfaced)
        throw new Error(
          `${system}: a 403 from the upstream did not surface as an error: HTTP ${status} ${text}`,
        );
      log(`403 on ${system}: HTTP ${status}; ${text.slice(0, 400)}`);
    }
  } else {
    log('the sandbox names no forbidden workspace: 403 check skipped');
  }
  return out;
}

function checkScenario(scenario, canonical) {
  for (const [system, c] of Object.entries(canonical)) {
    const problem = (() => {
      switch (scenario.id) {
        case 'Q1':
          return c?.id && c.email ? null : 'no profile id/email';
        case 'Q2':
          if (c.length < 20) return `${c.length} members, expected 20 or more`;
          // Some demo profiles have no email at all; a failed profile read would have been a GraphQL error.
          return c.filter((m) => m.email).length >= 20 ? null : 'fewer than 20 member profiles with an email';
        case 'Q3':
          if (!c.length) return 'no workspaces';
          return c.some((w) => w.isDefault) && c.every((w) => w.status)
            ? null
            : 'no default workspace or no status';
        case 'Q4':
          return c.workspace?.name && c.workspace.status ? null : 'no default workspace name/status';
        case 'Q5':
          if (!c.me?.defaultWorkspace?.status) return 'no default workspace status';
          if (!c.profiles.length || !c.workspaces.length) return 'no profiles or workspaces';
          return c.workspaces.every((w) => w.members.length) ? null : 'a workspace without members';
        default:
          return null;
      }
    })();
    if (problem) throw new Error(`${system} ${scenario.id}: ${problem}: ${JSON.stringify(c).slice(0, 500)}`);
  }
}

// --- facts for the report ----------------------------------------------------------------------------

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
  };
}

function pkgVersion(base, name) {
  try {
    return JSON.parse(readFileSync(join(base, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function versionInfo() {
  const root = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8'));
  const gatewayDeps = {};
  for (const name of Object.keys(root.dependencies ?? {})) gatewayDeps[name] = pkgVersion(rootDir, name);
  const meshDeps = {};
  for (const name of [
    '@graphql-hive/gateway',
    '@graphql-hive/gateway-runtime',
    '@graphql-mesh/compose-cli',
    '@omnigraph/openapi',
    '@graphql-mesh/transport-rest',
    '@graphql-tools/delegate',
    '@graphql-tools/batch-execute',
    'graphql',
  ]) {
    meshDeps[name] = pkgVersion(benchDir, name);
  }
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: rootDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {}
  return {
    node: process.version,
    gateway: { name: root.name, version: root.version, commit, dependencies: gatewayDeps },
    mesh: meshDeps,
    autocannon: pkgVersion(benchDir, 'autocannon'),
  };
}

function printSummary(result) {
  for (const phase of result.phases) {
    console.log(
      `\n${phase.latencyMs} ms upstream latency: ops/s median (gateway/Mesh, gateway/raw, cached/gateway)`,
    );
    for (const s of phase.scenarios) {
      const cells = result.config.systems
        .map((sys) => `${sys} ${s.systems[sys].opsMedian.toFixed(0)}`)
        .join('  ');
      const r = s.ratios;
      const ratio = (x) => (x == null ? '-' : `${x.toFixed(2)}x`);
      const hits = s.systems.cached?.hitRatio;
      const hitText = hits != null ? `  cache hit ratio ${(hits * 100).toFixed(1)}%` : '';
      console.log(
        `  ${s.id}  ${cells}  (${ratio(r.gatewayOverMesh)}, ${ratio(r.gatewayOverRaw)}, ${ratio(r.cachedOverGateway)})${hitText}`,
      );
    }
  }
}
