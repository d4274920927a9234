#!/usr/bin/env node
// The benchmark: this gateway vs GraphQL Mesh v1 vs Tailcall 1.0 vs a bare Node proxy vs the raw upstream,
// side by side, on 127.0.0.1 only. `npm run bench -- --help` lists the flags; bench/README.md says what is measured.
//
// The plan, for each upstream latency (0 ms and 20 ms injected by the sandbox):
//   1. start the sandbox and every system against it             lib/systems.mjs
//   2. prove each system answers every scenario with the same data, count the upstream calls
//                                                               lib/verify.mjs
//   3. per scenario: warm up, alternate the systems over rounds of autocannon (plus distinct documents
//      at 0 ms and a 1-connection set above 0 ms), take medians  lib/measure.mjs
//   4. stop everything
// then write the JSON, RESULTS.md with the targets first, and the chart   lib/report.mjs
// Arguments, defaults and the time estimate: lib/config.mjs. Child processes: lib/procs.mjs.
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { describePlan, HELP, loadConfig, rootDir, workDir } from './lib/config.mjs';
import { measureScenario } from './lib/measure.mjs';
import { killAll, killAllNow } from './lib/procs.mjs';
import { machineInfo, printSummary, versionInfo, writeResults } from './lib/report.mjs';
import { scenarios as buildScenarios } from './lib/scenarios.mjs';
import { buildGateway, installBenchDeps, startSystems } from './lib/systems.mjs';
import { runTabs } from './lib/tabs.mjs';
import { verify } from './lib/verify.mjs';

const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);

let loaded;
try {
  loaded = loadConfig();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(1);
}
if (loaded.help) {
  console.log(HELP);
  process.exit(0);
}
const { config, options } = loaded;

// Bounded: past the time limit every child is killed and the run fails.
const deadline = setTimeout(() => {
  console.error(`\nbench: time limit of ${options.timeLimitSec} s reached; stopping every child process`);
  killAll(1000).finally(() => process.exit(2));
}, options.timeLimitSec * 1000);
deadline.unref();
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}; stopping every child process`);
    killAll(1000).finally(() => process.exit(130));
  });
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
  mkdirSync(options.resultsDir, { recursive: true });
  installBenchDeps(options, log);
  if (options.tabs || config.systems.includes('gateway') || config.systems.includes('cached'))
    buildGateway(options, log);
  const autocannon = (await import('autocannon')).default;
  if (options.tabs) {
    await runTabs({ config, autocannon, log });
    return;
  }
  log(describePlan(config));

  const phases = [];
  for (const latencyMs of config.latencies) phases.push(await runPhase(latencyMs, autocannon));
  if (options.verifyOnly) return;

  const result = {
    date: new Date().toISOString(),
    quick: config.quick,
    partial: options.partial,
    command: options.command,
    machine: machineInfo(),
    versions: versionInfo(),
    config,
    phases,
  };
  const { jsonPath, mdPath, chartPath } = writeResults(result, options);
  log(`wrote ${[jsonPath, mdPath, chartPath].map((p) => relative(rootDir, p)).join(', ')}`);
  printSummary(result);
}

/** One upstream latency: start, verify, measure every scenario, stop. */
async function runPhase(latencyMs, autocannon) {
  log(`--- ${latencyMs} ms upstream latency ---`);
  const { sandbox, ids, targets, headers, stop } = await startSystems(config, latencyMs, log);
  try {
    let scenarioList = buildScenarios(ids);
    if (config.scenarioIds) scenarioList = scenarioList.filter((s) => config.scenarioIds.includes(s.id));
    const verified = await verify({ config, scenarioList, targets, headers, sandbox, ids, latencyMs, log });
    const phase = { latencyMs, scenarios: [] };
    if (options.verifyOnly) return phase;
    for (const scenario of scenarioList) {
      phase.scenarios.push(
        await measureScenario({
          config,
          autocannon,
          scenario,
          verified: verified[scenario.id],
          targets,
          headers,
          sandbox,
          latencyMs,
          log,
        }),
      );
    }
    return phase;
  } finally {
    await stop();
  }
}
