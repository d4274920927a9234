#!/usr/bin/env node
// The CPU regression check: Q1's CPU per request of the gateway, normalised by the bare proxy's measured in
// the same run, against the figure committed in bench/baseline.json. It fails (exit 1) when the normalised
// figure rises more than 10% over the baseline.
//
//   npm run bench:check                  # measure and compare; exit 1 on a regression
//   npm run bench:check -- --update      # measure and rewrite bench/baseline.json
//   npm run bench:check -- --rounds 7 --turn 5 --tolerance 0.1
//
// One sandbox at 0 ms, the gateway (`npm run serve`'s build and flags) and the bare proxy
// (bench/bare-proxy.mjs: node:http + the gateway's undici, no GraphQL) in front of it. After a warm-up, they
// take turns (the order flips each round) serving a fixed number of Q1 requests at 10 connections: for
// each, the number it served in about --turn seconds of its warm-up, so that both turns of a round span
// the same few seconds of whatever else the machine is doing, and the CPU of the faster bare proxy spans
// enough clock ticks. CPU is utime + stime of the process (every thread) from /proc/<pid>/stat, read
// before and after each turn, divided by the requests it served. The bare proxy does the same HTTP work
// without the GraphQL, so gateway ÷ bare means the same on a faster or a slower machine. The figure is the
// median over rounds of each round's ratio. A figure over the limit is measured once more before it fails,
// and the verdict is then the median over both sets: a neighbour's burst of load should not fail it.
// It is not part of `npm test`: no timing there.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, rootDir } from './lib/config.mjs';
import { CLOCK_TICK_US, cpuTicks, killAll, killAllNow } from './lib/procs.mjs';
import { scenarios } from './lib/scenarios.mjs';
import { buildGateway, installBenchDeps, startBare, startGateway, startSandbox } from './lib/systems.mjs';
import { requestOf } from './lib/verify.mjs';

const BASELINE = join(benchDir, 'baseline.json');
const SCENARIO = 'Q1';

const { values: args } = parseArgs({
  options: {
    update: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    turn: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3000' },
    connections: { type: 'string', default: '10' },
    tolerance: { type: 'string', default: '0.1' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'npm run bench:check [-- --update] [--rounds 5] [--turn 4 (s)] [--warmup 3000 (requests)] [--connections 10] [--tolerance 0.1] [--no-build]',
  );
  process.exit(0);
}
const rounds = Number(args.rounds);
const turnSec = Number(args.turn);
const connections = Number(args.connections);
const tolerance = Number(args.tolerance);
const log = (message) => console.log(`[bench:check] ${message}`);
process.on('exit', killAllNow);
// Bounded: about a minute of load on a quiet machine; past 10 minutes every child is killed and it fails.
const deadline = setTimeout(() => {
  console.error('bench:check: time limit of 10 minutes reached; stopping every child process');
  killAll(1000).finally(() => process.exit(2));
}, 10 * 60_000);
deadline.unref();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;
const round3 = (x) => Math.round(x * 1000) / 1000;

/**
 * A fixed number of requests at one system: its CPU per request (from /proc before and after) and its rate.
 * The rate runs to the last answer: autocannon itself only notices it is done on its next one-second tick.
 */
async function turn(autocannon, side, amount) {
  const before = cpuTicks(side.pid);
  const started = performance.now();
  let last = started;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon({ ...side.request, amount, connections }, (error, r) =>
      error ? reject(error) : resolve(r),
    );
    instance.on('response', () => {
      last = performance.now();
    });
  });
  const after = cpuTicks(side.pid);
  const bad = result.non2xx + result.errors + result.timeouts + (result.mismatches ?? 0);
  if (bad > 0)
    throw new Error(
      `${side.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts, ${result.mismatches} wrong answers`,
    );
  if (before == null || after == null) throw new Error(`${side.name}: its process is gone`);
  const served = result.requests.total;
  return {
    served,
    cpuUsPerRequest: ((after - before) * CLOCK_TICK_US) / served,
    rps: served / ((last - started) / 1000),
  };
}

/** `rounds` rounds of one turn per side, the order flipping each round, and each round's gateway ÷ bare. */
async function measureRounds(autocannon, sides, first) {
  const out = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    const got = {};
    for (const side of order) got[side.name] = await turn(autocannon, side, side.amount);
    const ratio = got.gateway.cpuUsPerRequest / got.bare.cpuUsPerRequest;
    out.push({ gateway: got.gateway, bare: got.bare, ratio });
    log(
      `round ${first + i}: gateway ${got.gateway.cpuUsPerRequest.toFixed(0)} µs/req (${got.gateway.rps.toFixed(0)} req/s), ` +
        `bare ${got.bare.cpuUsPerRequest.toFixed(0)} µs/req (${got.bare.rps.toFixed(0)} req/s), ratio ${ratio.toFixed(2)}`,
    );
  }
  return out;
}

/** Medians over rounds: each side's CPU per request, and the ratio (the median of the rounds' ratios). */
function summary(runs) {
  const ratios = runs.map((r) => r.ratio);
  return {
    rounds: runs.length,
    gatewayUsPerRequest: round1(median(runs.map((r) => r.gateway.cpuUsPerRequest))),
    bareUsPerRequest: round1(median(runs.map((r) => r.bare.cpuUsPerRequest))),
    ratio: round3(median(ratios)),
    // Flat, not an array: bench/baseline.json must stay as biome formats it (npm run lint).
    ratioMin: round3(Math.min(...ratios)),
    ratioMax: round3(Math.max(...ratios)),
  };
}

/** The commit the gateway was built from, and whether src/ differs from it. */
function commitInfo() {
  const git = (...a) =>
    execFileSync('git', a, { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      srcDirty: git('status', '--porcelain', '--', 'src') !== '',
    };
  } catch {
    return { commit: null, srcDirty: null };
  }
}

function readBaseline() {
  try {
    return JSON.parse(readFileSync(BASELINE, 'utf8'));
  } catch {
    return null;
  }
}

async function main() {
  const baseline = args.update ? null : readBaseline();
  if (!args.update && !baseline) {
    console.error(
      `bench:check FAILED: no ${relative(rootDir, BASELINE)} to compare with; write one with npm run bench:check -- --update`,
    );
    return 1;
  }
  installBenchDeps({ noInstall: false }, log);
  buildGateway({ noBuild: args['no-build'] }, log);
  const autocannon = (await import('autocannon')).default;

  const sandbox = await startSandbox(0);
  const m = sandbox.demo.matatika;
  const token = m.tokens.demo;
  const scenario = scenarios({ profileId: m.profileIds.demo, workspaceId: m.workspaceIds.large }).find(
    (s) => s.id === SCENARIO,
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const [gateway, bare] = await Promise.all([
    startGateway(sandbox.matatikaUrl, token),
    startBare(sandbox.matatikaUrl),
  ]);
  const sides = [
    {
      name: 'gateway',
      pid: gateway.info.child.pid,
      request: requestOf('gateway', scenario, gateway.url, headers),
    },
    { name: 'bare', pid: bare.info.child.pid, request: requestOf('bare', scenario, bare.url, headers) },
  ];
  // The answer each must give, byte for byte, under load: its first one (the gateway's checked for data).
  for (const side of sides) {
    const { url, ...init } = side.request;
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${side.name}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    if (side.name === 'gateway' && !JSON.parse(text).data?.profile?.email)
      throw new Error(`gateway: no profile in ${text.slice(0, 300)}`);
    side.request.expectBody = text;
  }

  // Warm-up (JIT, pools), twice: the second one's rate sets each side's number of requests per turn.
  for (const side of sides) await turn(autocannon, side, Number(args.warmup));
  for (const side of sides) {
    const warm = await turn(autocannon, side, Number(args.warmup));
    side.amount = Math.max(1000, Math.round((warm.rps * turnSec) / 100) * 100);
  }
  log(
    `${SCENARIO}: ${rounds} rounds, each a turn of the gateway (${sides[0].amount} requests) and one of the ` +
      `bare proxy (${sides[1].amount} requests), about ${turnSec} s each, at ${connections} connections`,
  );
  let runs = await measureRounds(autocannon, sides, 1);
  if (baseline && summary(runs).ratio > baseline.ratio * (1 + tolerance)) {
    log(`over the limit: ${rounds} rounds more to confirm, and the verdict on all ${2 * rounds}`);
    runs = [...runs, ...(await measureRounds(autocannon, sides, rounds + 1))];
  }
  await killAll();

  const measured = {
    scenario: SCENARIO,
    connections,
    requestsPerTurn: { gateway: sides[0].amount, bare: sides[1].amount },
    ...summary(runs),
    date: new Date().toISOString(),
    ...commitInfo(),
    node: process.version,
    cpuModel: os.cpus()[0]?.model?.trim() ?? null,
  };
  const line =
    `gateway ${measured.gatewayUsPerRequest} µs/req, bare ${measured.bareUsPerRequest} µs/req, ` +
    `gateway ÷ bare ${measured.ratio} (rounds ${measured.ratioMin}–${measured.ratioMax})`;

  if (args.update) {
    writeFileSync(BASELINE, `${JSON.stringify(measured, null, 2)}\n`);
    log(`${line}\nwrote ${relative(rootDir, BASELINE)}: commit it with the change it measures`);
    return 0;
  }
  const limit = baseline.ratio * (1 + tolerance);
  const change = (measured.ratio / baseline.ratio - 1) * 100;
  const against =
    `the baseline ${baseline.ratio} (${baseline.gatewayUsPerRequest} ÷ ${baseline.bareUsPerRequest} µs/req, ` +
    `${baseline.date?.slice(0, 10)}, commit ${baseline.commit})`;
  if (measured.ratio > limit) {
    console.error(
      `\nbench:check FAILED: ${SCENARIO}'s CPU per request, normalised by the bare proxy's, rose ` +
        `${change.toFixed(1)}% (limit +${(tolerance * 100).toFixed(0)}%): ${line}; against ${against}.\n` +
        'Find the change that costs it (npm run ab -- --a <a good revision>); if the cost is meant, rewrite ' +
        'the baseline with npm run bench:check -- --update and commit it with the change.',
    );
    return 1;
  }
  log(
    `passed: ${line}; ${change >= 0 ? '+' : ''}${change.toFixed(1)}% against ${against}; limit ${round3(limit)}`,
  );
  return 0;
}

main().then(
  async (code) => {
    await killAll();
    process.exit(code);
  },
  async (error) => {
    console.error(`bench:check failed to run: ${error?.stack ?? error}`);
    await killAll();
    process.exit(1);
  },
);
