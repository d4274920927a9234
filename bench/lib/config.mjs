// The benchmark's configuration: command-line arguments, their defaults (full and quick), checks, and the
// plan (what will run and about how long it takes). Nothing here starts a process or sends a request.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = join(benchDir, '..');
export const workDir = join(benchDir, '.work');
export const quickDir = join(workDir, 'quick');
export const partialDir = join(workDir, 'partial');

/** Every system the harness knows, in the order the report shows them. */
export const ALL_SYSTEMS = ['gateway', 'cached', 'mesh', 'tailcall', 'bare', 'raw'];

/** Systems measured again at 1 connection when the upstream latency is above 0 (the p50 target). */
export const ONE_CONNECTION_SYSTEMS = ['gateway', 'mesh', 'tailcall', 'bare', 'raw'];

/** The scenario measured with a different document on every request (the distinct-documents target). */
export const DISTINCT_SCENARIO = 'Q1';

export const HELP = `npm run bench                      full run (5 rounds x 5 s per system, scenario and latency)
npm run bench -- --quick           about four minutes (2 rounds x 1 s); a check, not a result: it writes
                                   to bench/.work/quick/ (gitignored), never over RESULTS.md
npm run bench -- --systems gateway,bare --latencies 0 --scenarios Q1 --rounds 1 --duration 1
                                   a subset of systems, latencies or scenarios: written to bench/.work/partial/
npm run bench -- --verify-only     start everything, check and print every system's answers, stop
npm run bench -- --tabs --rounds 2 --duration 5
                                   "one screen, many tabs" alone (lib/tabs.mjs): Q2 at 50
                                   connections and 20 ms, single-flight and the upstream cache off and on

Systems (--systems, default all): ${ALL_SYSTEMS.join(', ')}.
Other flags: --warmup <s>, --connections <n> (default 10), --one-connection-rounds <n>,
--one-connection-duration <s>, --no-distinct, --no-install, --no-build, --time-limit <s>.`;

/**
 * Reads the command line. Returns `{ help: true }` for --help, or `{ config, options }`: `config` goes into
 * the result JSON as it is (report.mjs reads it), `options` steers this run only. Throws on a bad value.
 */
export function loadConfig(argv = process.argv.slice(2)) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      systems: { type: 'string', default: ALL_SYSTEMS.join(',') },
      latencies: { type: 'string' },
      scenarios: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'one-connection-rounds': { type: 'string' },
      'one-connection-duration': { type: 'string' },
      'no-distinct': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'verify-only': { type: 'boolean', default: false },
      tabs: { type: 'boolean', default: false },
      'time-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (args.help) return { help: true };

  const quick = args.quick;
  const list = (s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const config = {
    quick,
    systems: list(args.systems),
    latencies: (args.latencies ?? '0,20').split(',').map(Number),
    scenarioIds: args.scenarios ? list(args.scenarios) : null,
    rounds: Number(args.rounds ?? (quick ? 2 : 5)),
    durationSec: Number(args.duration ?? (quick ? 1 : 5)),
    // Warm-up before each scenario's first round, per system: seconds, or in quick mode a number of requests
    // (10 per connection), which costs a fast system a fraction of a second instead of a whole one.
    warmupSec: args.warmup ? Number(args.warmup) : quick ? 0 : 2,
    warmupRequests: args.warmup ? 0 : quick ? 100 : 0,
    connections: Number(args.connections ?? 10),
    // At every latency above 0: a short extra set of rounds at 1 connection (p50 target at 1 connection).
    oneConnection: {
      systems: [],
      rounds: Number(args['one-connection-rounds'] ?? (quick ? 1 : 2)),
      durationSec: Number(args['one-connection-duration'] ?? (quick ? 1 : 2)),
    },
    // At 0 ms: the gateway on Q1 with a different document on every request, in the same rounds.
    distinct: null,
  };
  for (const s of config.systems) {
    if (!ALL_SYSTEMS.includes(s))
      throw new Error(`unknown system "${s}" (expected ${ALL_SYSTEMS.join(', ')})`);
  }
  config.oneConnection.systems = ONE_CONNECTION_SYSTEMS.filter((s) => config.systems.includes(s));
  const distinctScenarioSelected = !config.scenarioIds || config.scenarioIds.includes(DISTINCT_SCENARIO);
  if (!args['no-distinct'] && config.systems.includes('gateway') && distinctScenarioSelected) {
    config.distinct = { scenario: DISTINCT_SCENARIO, latencyMs: 0 };
  }
  if (config.latencies.some((l) => !Number.isFinite(l) || l < 0))
    throw new Error('--latencies takes numbers of ms, e.g. 0,20');
  if (!(config.rounds >= 1 && config.durationSec >= 1 && config.connections >= 1))
    throw new Error('--rounds, --duration (s) and --connections must be at least 1');
  if (!(config.oneConnection.rounds >= 0 && config.oneConnection.durationSec >= 1))
    throw new Error('--one-connection-rounds must be at least 0 and --one-connection-duration at least 1');

  // Only a run of every system, latency and scenario may replace RESULTS.md, the chart and results/: a
  // quick run writes to .work/quick/, a partial one (a subset of systems, latencies or scenarios) to
  // .work/partial/.
  const partial =
    args.tabs ||
    (!quick &&
      (ALL_SYSTEMS.some((s) => !config.systems.includes(s)) ||
        !(config.latencies.includes(0) && config.latencies.includes(20)) ||
        config.scenarioIds != null));
  const outDir = quick ? quickDir : partial ? partialDir : null;
  const options = {
    verifyOnly: args['verify-only'],
    tabs: args.tabs,
    noInstall: args['no-install'],
    noBuild: args['no-build'],
    // The whole run has a hard time limit, after which every child is killed and the run fails.
    timeLimitSec: Number(args['time-limit'] ?? (quick ? 360 : 45 * 60)),
    partial,
    resultsDir: outDir ?? join(benchDir, 'results'),
    markdownDir: outDir ?? benchDir,
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
  return { config, options };
}

/**
 * One line saying what will run and about how long: the load itself plus, per round, the pause that lets
 * the last upstream calls land, and per latency about 15 s to compose Mesh and start everything.
 */
export function describePlan(config) {
  const scenarios = config.scenarioIds?.length ?? 5;
  const warm = config.warmupSec || 0.5;
  const pause = (latencyMs) => 0.15 + (latencyMs * 3) / 1000 + 0.05;
  const oc = config.oneConnection;
  const distinctRuns = config.distinct && config.latencies.includes(config.distinct.latencyMs);
  let seconds = 0;
  for (const latencyMs of config.latencies) {
    const roundSec = config.durationSec + pause(latencyMs);
    seconds += 15 + scenarios * config.systems.length * (config.rounds * roundSec + warm);
    if (latencyMs > 0 && oc.rounds)
      seconds += scenarios * oc.systems.length * oc.rounds * (oc.durationSec + pause(latencyMs));
    if (distinctRuns && latencyMs === config.distinct.latencyMs) seconds += config.rounds * roundSec + warm;
  }
  const slow = config.latencies.some((l) => l > 0);
  const warmText = config.warmupRequests ? `${config.warmupRequests} requests` : `${config.warmupSec} s`;
  const extras = [
    slow && oc.rounds && oc.systems.length
      ? `at latency > 0 also ${oc.rounds} x ${oc.durationSec} s at 1 connection (${oc.systems.join(', ')})`
      : null,
    distinctRuns
      ? `distinct documents on ${config.distinct.scenario} at ${config.distinct.latencyMs} ms`
      : null,
  ].filter(Boolean);
  return (
    `plan: systems ${config.systems.join(', ')}; latencies ${config.latencies.join(', ')} ms; ` +
    `${config.scenarioIds ? `scenarios ${config.scenarioIds.join(', ')}; ` : ''}` +
    `${config.rounds} rounds x ${config.durationSec} s, ${config.connections} connections, warm-up ${warmText}` +
    `${extras.length ? `; ${extras.join('; ')}` : ''}; about ${Math.max(1, Math.round(seconds / 60))} min ` +
    '(more on a busy machine)'
  );
}
