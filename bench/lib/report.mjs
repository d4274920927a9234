// Writes the benchmark's report: the result JSON, a Markdown page (the targets first) and a hand-made SVG
// chart (grouped bars of ops/s per scenario and system, one panel per upstream latency, log scale because
// raw and gateways differ by orders of magnitude), plus the console summary and the facts about the machine
// and the versions. It also re-renders older results (bench/results/*.json): every field added since
// (bare, distinct documents, 1 connection, chains, targets, Tailcall, CPU per request) is optional here.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { benchDir, rootDir } from './config.mjs';

const COLORS = {
  gateway: '#2f6fdf',
  cached: '#7fb0ff',
  mesh: '#e0733a',
  tailcall: '#9b59b6',
  bare: '#3a9d5d',
  raw: '#7a7a7a',
};
const LABELS = {
  gateway: 'this gateway',
  cached: 'this gateway, response cache on',
  mesh: 'GraphQL Mesh v1',
  tailcall: 'Tailcall 1.0',
  bare: 'bare Node proxy',
  raw: 'raw upstream',
};

// The speed targets, checked by evaluateTargets(): issue 16's, and those of issue 10 that it does not
// replace (3x Mesh, no more upstream calls than Mesh, p50 of the scenarios that wait for two round trips).
export const TARGETS = {
  // issue 16
  overTailcallQ1: 0.25,
  overTailcallQ2: 1,
  overTailcallQ2Slow: 1.5,
  overBare: 0.5,
  overBareScenarios: ['Q1', 'Q2', 'Q3'],
  p50SlackMs: 1,
  distinctOverRepeated: 0.8,
  peakRssBytes: 120 * 2 ** 20,
  // issue 10
  overMesh: 3,
};

const fmtOps = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtRatio = (x) => (x == null ? '–' : `${x.toFixed(2)}×`);
const fmtMB = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(0)}`);
const fmtCalls = (x) => (x == null ? '–' : x.toFixed(2));
const fmtCpu = (x) => (x == null ? '–' : x.toFixed(0));
const fmtPct = (x) => (x == null ? '–' : `${(x * 100).toFixed(1)}%`);
// autocannon reports latency in whole milliseconds (with .5 steps at percentiles): 0 means under 1 ms.
const fmtMs = (x) => (x == null ? '–' : x < 1 ? '<1' : String(x));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeMarkdown(path, result, { chartPath, jsonPath, mdPath }) {
  const rel = (p) => relative(dirname(mdPath), p).split('\\').join('/');
  const { machine, versions, config } = result;
  const lines = [];
  lines.push(`# Benchmark results${result.quick ? ' (quick run)' : result.partial ? ' (partial run)' : ''}`);
  lines.push('');
  lines.push(
    `This gateway vs GraphQL Mesh v1 (\`@graphql-mesh/compose-cli\` + \`@omnigraph/openapi\`, served by ` +
      '`@graphql-hive/gateway`) vs Tailcall 1.0 (Rust, one `@http` per field: bench/tailcall/matatika.graphql) ' +
      'vs a bare Node proxy (node:http + undici forwarding the main upstream request, ' +
      'no GraphQL: the floor of any Node gateway) vs the raw upstream (the matatika sandbox itself, the limit), ' +
      'one run on one machine. Compare the **ratios**, and CPU per request before ops/s: absolute numbers move ' +
      'with the machine and its neighbours.',
  );
  lines.push('');
  const targets = evaluateTargets(result);
  if (targets.length) {
    lines.push('## Targets');
    lines.push('');
    lines.push('| from | target | measured | |');
    lines.push('|---|---|---|---|');
    for (const t of targets) {
      const verdict = t.met == null ? 'not measured' : t.met ? 'met' : '**missed**';
      lines.push(`| ${t.source} | ${t.target} | ${t.measured} | ${verdict} |`);
    }
    lines.push('');
  }
  lines.push(`![ops/s per scenario and system](${rel(chartPath)})`);
  lines.push('');
  lines.push(`- Date: ${result.date}`);
  lines.push(`- Command: \`${result.command}\``);
  lines.push(
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; load generator, ` +
      'sandbox and every system under test share these cores',
  );
  lines.push(`- Node ${versions.node}`);
  const g = versions.gateway;
  lines.push(
    `- This gateway: ${g.name} ${g.version}${g.commit ? ` (commit ${g.commit})` : ''}; ` +
      Object.entries(g.dependencies)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  lines.push(
    `- Mesh: ${Object.entries(versions.mesh)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (versions.tailcall) lines.push(`- Tailcall: ${versions.tailcall}`);
  lines.push(`- Load: autocannon ${versions.autocannon}`);
  lines.push(
    `- Method: per scenario, a warm-up per system (${config.warmupRequests ? `${config.warmupRequests} requests` : `${config.warmupSec} s`}), then ${config.rounds} rounds of ` +
      `${config.durationSec} s per system with ${config.connections} connections, the systems alternating ` +
      '(the first one rotates each round). Systems: ' +
      config.systems.map((s) => LABELS[s] ?? s).join(', ') +
      '.',
  );
  const oc = config.oneConnection;
  if (oc?.rounds && oc.systems?.length) {
    lines.push(
      `- At every latency above 0, then ${oc.rounds} round(s) of ${oc.durationSec} s at 1 connection per system ` +
        `(${oc.systems.map((s) => LABELS[s] ?? s).join(', ')}), for p50 at 1 connection.`,
    );
  }
  if (config.distinct) {
    lines.push(
      `- Distinct documents: at ${config.distinct.latencyMs} ms, this gateway on ${config.distinct.scenario} with a ` +
        'different document on every request (the root field under an alias numbered per request) runs in the ' +
        "same rotation as the other systems, against the gateway's repeated document.",
    );
  }
  lines.push('');

  for (const phase of result.phases) {
    lines.push(`## ${phase.latencyMs} ms injected upstream latency`);
    lines.push('');
    if (phase.latencyMs > 0) {
      const bound = Math.round(config.connections / (phase.latencyMs / 1000));
      lines.push(
        `With ${config.connections} connections and ${phase.latencyMs} ms per upstream answer, every system is bound by ` +
          `latency: at most ${bound} ops/s for a query that waits on one upstream call, half that for two calls ` +
          'in sequence. Here the ratios mostly count how many upstream round trips a query waits for one after ' +
          'the other, not CPU.',
      );
      lines.push('');
    } else {
      lines.push(
        'No injected latency: every system is bound by CPU (two cores shared by autocannon, the sandbox and ' +
          'the system under test), so the ratios compare the work each gateway does per operation.',
      );
      lines.push('');
    }
    const withCpu = phase.scenarios.some((s) =>
      Object.values(s.systems).some((x) => x?.cpuUsPerOpMedian != null),
    );
    lines.push(
      `| scenario | system | ops/s median (min–max) |${withCpu ? ' CPU µs/op |' : ''} p50 ms | p99 ms | upstream calls/op | RSS after load (MB) | failed |`,
    );
    lines.push(`|---|---|---:|${withCpu ? '---:|' : ''}---:|---:|---:|---:|---:|`);
    for (const s of phase.scenarios) {
      config.systems.forEach((sys, i) => {
        const x = s.systems[sys];
        if (!x) return;
        lines.push(
          `| ${i === 0 ? s.id : ''} | ${LABELS[sys] ?? sys} | **${fmtOps(x.opsMedian)}** (${fmtOps(x.opsMin)}–${fmtOps(x.opsMax)}) |` +
            `${withCpu ? ` ${fmtCpu(x.cpuUsPerOpMedian)} |` : ''} ${fmtMs(x.p50)} | ${fmtMs(x.p99)} | ${fmtCalls(x.upstreamCallsPerOp)} | ${fmtMB(x.rssBytes)} | ${x.failed} |`,
        );
      });
    }
    lines.push('');
    if (withCpu) {
      lines.push(
        'CPU µs/op: the median over rounds of the CPU time (utime + stime of every thread of the process and its ' +
          "children) the system spent in a round, per request completed; for raw, the sandbox's own." +
          (phase.latencyMs > 0
            ? ' Here the systems wait between requests, and each request pays the wake-ups of a process that ' +
              'was idle, with little to share them with: compare CPU per request at 0 ms.'
            : ''),
      );
      lines.push('');
    }
    ratioTable(lines, phase);
    latencyTable(lines, phase, config);
    distinctTable(lines, phase);
    if (config.systems.includes('cached')) {
      lines.push(
        'With the response cache on (`RESPONSE_CACHE_TTL_MS`, in memory): one caller repeating one operation, ' +
          'the best case. The hit ratio is the share of operations that cost no upstream call; Q4 is a ' +
          'mutation, never cached, and invalidates its caller.',
      );
      lines.push('');
      lines.push('| scenario | gateway ops/s | cached ops/s | cached / gateway | hit ratio |');
      lines.push('|---|---:|---:|---:|---:|');
      for (const s of phase.scenarios) {
        lines.push(
          `| ${s.id} | ${fmtOps(s.systems.gateway?.opsMedian)} | ${fmtOps(s.systems.cached?.opsMedian)} | ` +
            `**${fmtRatio(s.ratios.cachedOverGateway)}** | ${fmtPct(s.systems.cached?.hitRatio)} |`,
        );
      }
      lines.push('');
    }
  }

  lines.push('## What each scenario asks');
  lines.push('');
  lines.push(
    'The same logical query on every GraphQL system (bench/lib/scenarios.mjs); before measuring, the',
  );
  lines.push(
    'harness sends each once to each, checks the answers are complete and that they hold the same data, and',
  );
  lines.push('from then on autocannon counts any answer that differs from that first one as failed.');
  lines.push('"raw" is one request straight at the sandbox: the single upstream call that answers the');
  lines.push(
    "scenario's main data, so gateway / raw is the share of the upstream's own rate a gateway keeps.",
  );
  lines.push('');
  lines.push(
    '| scenario | raw upstream request (also what the bare proxy forwards) | upstream calls for one operation (gateway, Mesh, Tailcall) | dependent chain (gateway) |',
  );
  lines.push('|---|---|---|---:|');
  const first = result.phases[0];
  for (const s of first?.scenarios ?? []) {
    const c = s.callsPerOpSingle ?? {};
    lines.push(
      `| ${s.id} ${esc(s.title)} | \`${esc(s.raw)}\` | ${c.gateway ?? '–'}, ${c.mesh ?? '–'}, ${c.tailcall ?? '–'} | ${s.chain ?? '–'} |`,
    );
  }
  lines.push('');
  lines.push(
    'The dependent chain is the number of upstream round trips one operation waits for one after the other ' +
      '(bench/lib/scenarios.mjs says why for each); at an injected latency the harness times one warm ' +
      'operation and logs the round trips it saw next to it.',
  );
  lines.push('');
  lines.push('## How it is measured');
  lines.push('');
  lines.push('- Everything runs on 127.0.0.1. The sandbox (`src/sandbox`) runs in its own process');
  lines.push('  (bench/sandbox-server.ts), once per latency, with the latency injected on every answer.');
  lines.push("- This gateway runs as production does: `npm run build`, then `npm run serve`'s command");
  lines.push('  (its flags, read from package.json) with');
  lines.push('  `NODE_ENV=production SANDBOX=0 MATATIKA_API_URL=<sandbox>/matatika`.');
  lines.push('- Mesh is composed from `schema/upstream/matatika.openapi.yaml` by bench/mesh/mesh.config.ts');
  lines.push(
    '  (`@resolveTo` links Member.profile, Profile.defaultWorkspaceDetails, Workspace.memberList) and',
  );
  lines.push(
    '  served by `hive-gateway supergraph` with bench/mesh/gateway.config.ts, `NODE_ENV=production`, one',
  );
  lines.push(
    '  process. Mesh batches a `@resolveTo` link only through `keysArg`, which needs a source field that',
  );
  lines.push(
    '  takes a list of keys; matatika reads profiles and workspaces one id at a time (its list endpoints',
  );
  lines.push(
    '  take no ids), so in Mesh each link costs one call per parent, sent in parallel. This gateway',
  );
  lines.push(
    '  instead answers many profile keys from one GET /api/profiles (the whole account), which is why',
  );
  lines.push('  the call counts differ. Inbound request deduplication is off (see gateway.config.ts).');
  lines.push(
    '- Tailcall 1.0 (the binary of `@tailcallhq/core-linux-x64-gnu`) serves bench/tailcall/matatika.graphql:',
  );
  lines.push(
    "  one `@http` per field on the same endpoints, the caller's authorization forwarded (`allowedHeaders`),",
  );
  lines.push(
    '  Member.profile one GET per member (matatika has no batch endpoint), every other setting its default',
  );
  lines.push('  (worker threads = cores, no query validation, no HTTP cache, no deduplication).');
  lines.push(
    '- The bare Node proxy (bench/bare-proxy.mjs) is a node:http server that forwards the request it',
  );
  lines.push(
    "  is sent (the raw request, with the caller's authorization) through one undici Pool (the gateway's",
  );
  lines.push(
    "  undici, its pool settings and V8 flags) and answers the upstream's status and body: the two HTTP",
  );
  lines.push(
    '  hops every gateway pays, without GraphQL. gateway / bare is the share of that floor the gateway keeps.',
  );
  lines.push("- ops/s counts only answers identical to the verified one, divided by the round's duration;");
  lines.push("  p50/p99 are the medians over rounds of autocannon's per-round percentiles (whole ms); at a");
  lines.push('  latency above 0 the harness also keeps every latency exactly, and the p50 tables use those.');
  lines.push(
    "- Upstream calls/op: the sandbox's request count during the rounds (read after a short pause that",
  );
  lines.push(
    '  lets the calls of requests cut off at the end of a round finish) divided by the requests sent.',
  );
  lines.push('  The last table gives the exact count for one operation, taken before the load.');
  lines.push(
    '- CPU per request: utime + stime from /proc/<pid>/stat of each system process (every thread) and its',
  );
  lines.push(
    '  children, read before and after each round, over the requests the round completed; the median over',
  );
  lines.push(
    '  rounds. It is the steadier figure on a shared machine: a neighbour taking the CPU moves ops/s far more.',
  );
  lines.push('- RSS: VmRSS from /proc of each system process (and any children) after its last round of the');
  lines.push('  scenario; the JSON also keeps the peak (VmHWM).');
  lines.push('');
  lines.push('## Reproduce');
  lines.push('');
  lines.push('```sh');
  lines.push('npm ci');
  lines.push(
    'npm run bench            # installs bench/ deps on first use (npm ci --prefix bench), builds, runs',
  );
  lines.push('npm run bench -- --quick # about four minutes; a harness check, written to bench/.work/quick/');
  lines.push('npm run bench -- --help');
  lines.push('```');
  lines.push('');
  lines.push(`Raw numbers: [${rel(jsonPath)}](${rel(jsonPath)}).`);
  lines.push('');
  writeFileSync(path, lines.join('\n'));
}

/** Ratios per scenario: the gateway over each peer, in ops/s and in CPU per request. */
function ratioTable(lines, phase) {
  const has = (key) => phase.scenarios.some((s) => s.ratios?.[key] != null);
  const columns = [
    ['gatewayOverMesh', 'gateway / Mesh (ops/s)', true],
    ['gatewayOverTailcall', 'gateway / Tailcall (ops/s)', true],
    ['gatewayOverBare', 'gateway / bare (ops/s)', true],
    ['gatewayOverRaw', 'gateway / raw (ops/s)', false],
    ['meshOverRaw', 'Mesh / raw (ops/s)', false],
    ['cpuGatewayOverTailcall', 'CPU/op gateway ÷ Tailcall', false],
    ['cpuGatewayOverBare', 'CPU/op gateway ÷ bare', false],
  ].filter(([key]) => has(key));
  if (!columns.length) return;
  lines.push(`| scenario | ${columns.map(([, label]) => label).join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---:').join('|')}|`);
  for (const s of phase.scenarios) {
    const cells = columns.map(([key, , bold]) => {
      const text = fmtRatio(s.ratios?.[key]);
      return bold && s.ratios?.[key] != null ? `**${text}**` : text;
    });
    lines.push(`| ${s.id} | ${cells.join(' | ')} |`);
  }
  lines.push('');
}

export function writeChart(path, result) {
  const systems = result.config.systems;
  const phases = result.phases;
  const scenarioIds = phases[0]?.scenarios.map((s) => s.id) ?? [];
  const allOps = phases.flatMap((p) =>
    p.scenarios.flatMap((s) => systems.map((sys) => s.systems[sys]?.opsMedian)),
  );
  const positive = allOps.filter((x) => x > 0);
  const maxExp = Math.ceil(Math.log10(Math.max(10, ...positive)));
  const minExp = Math.max(0, Math.floor(Math.log10(Math.min(...positive, 10))));

  const groupW = systems.length * 26 + 30;
  const panelW = 20 + scenarioIds.length * groupW;
  const panelH = 300;
  const top = 70;
  const left = 60;
  const width = left + phases.length * (panelW + 20) + 20;
  const height = top + panelH + 84;
  const y = (v) => {
    if (!(v > 0)) return top + panelH;
    const t = (Math.log10(v) - minExp) / (maxExp - minExp);
    return top + panelH - Math.max(0, Math.min(1, t)) * panelH;
  };

  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${left}" y="24" font-size="16" font-weight="600">Operations per second, median of rounds, log scale${result.quick ? ' (quick run)' : ''}</text>`,
  );
  out.push(
    `<text x="${left}" y="44" fill="#555">${esc(result.date.slice(0, 10))} · ${esc(result.machine.cpuModel)} · ${result.machine.cores} cores · Node ${esc(result.versions.node)}</text>`,
  );
  // Legend
  let lx = width - 20 - systems.length * 130;
  for (const sys of systems) {
    out.push(`<rect x="${lx}" y="14" width="12" height="12" fill="${COLORS[sys] ?? '#444'}"/>`);
    out.push(`<text x="${lx + 16}" y="24">${LABELS[sys] ?? sys}</text>`);
    lx += 130;
  }

  phases.forEach((phase, pi) => {
    const x0 = left + pi * (panelW + 20);
    out.push(`<g>`);
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top - 8}" text-anchor="middle" font-weight="600">${phase.latencyMs} ms upstream latency</text>`,
    );
    for (let e = minExp; e <= maxExp; e++) {
      const gy = y(10 ** e);
      out.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${gy}" y2="${gy}" stroke="#e3e3e3"/>`);
      if (pi === 0) {
        out.push(
          `<text x="${x0 - 6}" y="${gy + 4}" text-anchor="end" fill="#555">${(10 ** e).toLocaleString('en-US')}</text>`,
        );
      }
    }
    out.push(
      `<line x1="${x0}" x2="${x0 + panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#888"/>`,
    );
    phase.scenarios.forEach((s, si) => {
      const gx = x0 + 20 + si * groupW;
      systems.forEach((sys, k) => {
        const v = s.systems[sys]?.opsMedian;
        const bx = gx + k * 26;
        const by = y(v);
        out.push(
          `<rect x="${bx}" y="${by.toFixed(1)}" width="22" height="${(top + panelH - by).toFixed(1)}" fill="${COLORS[sys] ?? '#444'}"><title>${s.id} ${LABELS[sys] ?? sys}: ${fmtOps(v)} ops/s</title></rect>`,
        );
        out.push(
          `<text x="${bx + 11}" y="${(by - 4).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${fmtOps(v)}</text>`,
        );
      });
      const cx = gx + (systems.length * 26) / 2 - 2;
      out.push(
        `<text x="${cx}" y="${top + panelH + 16}" text-anchor="middle" font-weight="600">${s.id}</text>`,
      );
      const under = [
        [s.ratios.gatewayOverMesh, 'Mesh'],
        [s.ratios.gatewayOverTailcall, 'Tailcall'],
      ].filter(([r]) => r != null);
      under.forEach(([r, peer], k) => {
        out.push(
          `<text x="${cx}" y="${top + panelH + 31 + k * 13}" text-anchor="middle" fill="#555" font-size="10">${fmtRatio(r)} ${peer}</text>`,
        );
      });
    });
    out.push(`</g>`);
  });
  out.push(
    `<text x="${left}" y="${height - 12}" fill="#555" font-size="11">Q1 profile by id · Q2 members with profile emails · Q3 caller's workspaces · Q4 setDefaultWorkspace + read · Q5 wide query; under each group: this gateway's ops/s ÷ Mesh's and ÷ Tailcall's</text>`,
  );
  out.push('</svg>');
  writeFileSync(path, `${out.join('\n')}\n`);
}

// --- the new tables: p50 against the target, distinct documents --------------------------------------

const p50Of = (x) => x?.p50Exact ?? x?.p50 ?? null;
const fmtP50 = (x) => (x == null ? '–' : x < 1 ? '<1' : Number.isInteger(x) ? String(x) : x.toFixed(1));

/** The two ways to look at a scenario's p50: at the run's connections and at 1 connection. */
const P50_VIEWS = {
  many: (s, sys) => s.systems?.[sys],
  one: (s, sys) => s.oneConnection?.systems?.[sys],
};

/**
 * The gateway's p50 target in ms for a scenario at latency L, seen at many or at one connection. A scenario
 * that waits for one upstream round trip, as the bare proxy does, gets issue 16's target: the bare proxy's
 * p50 + 1 ms, measured in the same run and view. One that waits for more (Q4, Q5) keeps issue 10's
 * (chain x L) + 1 ms: the bare proxy's single call is no yardstick there. Null when it cannot be computed.
 */
function p50Target(s, L, view) {
  if (s.chain == null) return null;
  if (s.chain === 1) {
    const bare = p50Of(P50_VIEWS[view](s, 'bare'));
    return bare == null ? null : { ms: bare + TARGETS.p50SlackMs, text: `bare + ${TARGETS.p50SlackMs}` };
  }
  const ms = s.chain * L + TARGETS.p50SlackMs;
  return { ms, text: `${s.chain} × ${L} + ${TARGETS.p50SlackMs}` };
}

function latencyTable(lines, phase, config) {
  if (!(phase.latencyMs > 0)) return;
  const order = ['gateway', 'mesh', 'tailcall', 'bare', 'raw'];
  const systems = order.filter((sys) =>
    phase.scenarios.some((s) => s.systems[sys] || s.oneConnection?.systems?.[sys]),
  );
  const withOne = phase.scenarios.some((s) => s.oneConnection);
  if (!systems.length) return;
  const L = phase.latencyMs;
  lines.push(
    `p50 in ms at ${config.connections} connections${withOne ? ' and at 1 connection' : ''}. The gateway's target: ` +
      `the bare proxy's p50 + ${TARGETS.p50SlackMs} ms for a scenario that waits for one upstream round trip ` +
      `(chain 1), (chain × ${L} ms) + ${TARGETS.p50SlackMs} ms for one that waits for more:`,
  );
  lines.push('');
  const head = systems.flatMap((sys) =>
    withOne ? [`${LABELS[sys] ?? sys}, ${config.connections} conn.`, '1 conn.'] : [LABELS[sys] ?? sys],
  );
  lines.push(`| scenario | chain | target | ${head.join(' | ')} |`);
  lines.push(`|---|---:|---|${head.map(() => '---:').join('|')}|`);
  for (const s of phase.scenarios) {
    const cell = (sys, view) => {
      const v = p50Of(P50_VIEWS[view](s, sys));
      const text = fmtP50(v);
      const target = sys === 'gateway' ? p50Target(s, L, view) : null;
      return target && v != null && v > target.ms ? `**${text}**` : text;
    };
    const cells = systems.flatMap((sys) =>
      withOne ? [cell(sys, 'many'), cell(sys, 'one')] : [cell(sys, 'many')],
    );
    const targetText =
      s.chain == null
        ? '–'
        : s.chain === 1
          ? `bare + ${TARGETS.p50SlackMs}`
          : String(s.chain * L + TARGETS.p50SlackMs);
    lines.push(`| ${s.id} | ${s.chain ?? '–'} | ${targetText} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push("Bold: the gateway's p50 above its target.");
  lines.push('');
}

function distinctTable(lines, phase) {
  const rows = phase.scenarios.filter((s) => s.distinct);
  if (!rows.length) return;
  lines.push(
    'Distinct documents: this gateway with a different document on every request (the root field under an ' +
      'alias numbered per request) against the same document repeated, in the same rounds:',
  );
  lines.push('');
  lines.push(
    '| scenario | repeated document ops/s | distinct documents ops/s | distinct / repeated | RSS after (MB) |',
  );
  lines.push('|---|---:|---:|---:|---:|');
  for (const s of rows) {
    lines.push(
      `| ${s.id} | ${fmtOps(s.systems.gateway?.opsMedian)} | ${fmtOps(s.distinct.opsMedian)} | ` +
        `**${fmtRatio(s.ratios.distinctOverRepeated)}** | ${fmtMB(s.distinct.rssBytes)} |`,
    );
  }
  lines.push('');
}

// --- the targets ------------------------------------------------------------------------------------------

/**
 * The targets, each with what this run measured: `{ source, target, measured, met }`, `met` null when the
 * run did not measure it (a filtered run, or an older result without the field). Issue 16's come first,
 * then those of issue 10 that it does not replace.
 */
export function evaluateTargets(result) {
  const out = [];
  // `required`: the scenarios a target is about; met only when every one of them was measured and met.
  const add = (source, target, rows, test, show, required = null) => {
    const measured = rows.length ? rows.map(show).join(', ') : '–';
    const missed = rows.some((r) => !test(r));
    const complete = rows.length > 0 && (required == null || rows.length >= required);
    out.push({ source, target, measured, met: missed ? false : complete ? true : null });
  };
  const zero = result.phases.find((p) => p.latencyMs === 0);
  const slow = result.phases.filter((p) => p.latencyMs > 0);
  const connections = result.config.connections;
  const ratioRows = (phase, key, ids) =>
    (phase?.scenarios ?? []).filter((s) => ids.includes(s.id) && s.ratios?.[key] != null);
  const pct = (x) => `${(x * 100).toFixed(0)}%`;

  // --- issue 16 ---
  add(
    'issue 16',
    `Q1 ≥ ${TARGETS.overTailcallQ1}× Tailcall's ops/s (0 ms)`,
    ratioRows(zero, 'gatewayOverTailcall', ['Q1']),
    (s) => s.ratios.gatewayOverTailcall >= TARGETS.overTailcallQ1,
    (s) => `${s.id} ${fmtRatio(s.ratios.gatewayOverTailcall)}`,
  );
  add(
    'issue 16',
    `Q2 ≥ ${TARGETS.overTailcallQ2}× Tailcall's ops/s (0 ms)`,
    ratioRows(zero, 'gatewayOverTailcall', ['Q2']),
    (s) => s.ratios.gatewayOverTailcall >= TARGETS.overTailcallQ2,
    (s) => `${s.id} ${fmtRatio(s.ratios.gatewayOverTailcall)}`,
  );
  for (const phase of slow.length ? slow : [{ latencyMs: 20, scenarios: [] }]) {
    add(
      'issue 16',
      `Q2 ≥ ${TARGETS.overTailcallQ2Slow}× Tailcall's ops/s (${phase.latencyMs} ms)`,
      ratioRows(phase, 'gatewayOverTailcall', ['Q2']),
      (s) => s.ratios.gatewayOverTailcall >= TARGETS.overTailcallQ2Slow,
      (s) => `${s.id} ${fmtRatio(s.ratios.gatewayOverTailcall)}`,
    );
  }
  const bareIds = TARGETS.overBareScenarios;
  add(
    'issue 16',
    `${bareIds.join(', ')} ≥ ${TARGETS.overBare}× the bare proxy's ops/s (0 ms)`,
    ratioRows(zero, 'gatewayOverBare', bareIds),
    (s) => s.ratios.gatewayOverBare >= TARGETS.overBare,
    (s) => `${s.id} ${fmtRatio(s.ratios.gatewayOverBare)}`,
    bareIds.length,
  );
  for (const phase of slow.length ? slow : [{ latencyMs: 20, scenarios: [] }]) {
    const L = phase.latencyMs;
    for (const [view, label] of [
      ['many', `${connections} connections`],
      ['one', '1 connection'],
    ]) {
      const gatewayP50 = (s) => p50Of(P50_VIEWS[view](s, 'gateway'));
      add(
        'issue 16',
        `p50 ≤ the bare proxy's p50 + ${TARGETS.p50SlackMs} ms at ${L} ms, ${label} (scenarios of one round trip)`,
        phase.scenarios.filter(
          (s) => s.chain === 1 && gatewayP50(s) != null && p50Target(s, L, view) != null,
        ),
        (s) => gatewayP50(s) <= p50Target(s, L, view).ms,
        (s) => `${s.id} ${fmtP50(gatewayP50(s))} (≤ ${fmtP50(p50Target(s, L, view).ms)})`,
      );
    }
  }
  add(
    'issue 16',
    `distinct documents ≥ ${TARGETS.distinctOverRepeated}× a repeated document's ops/s`,
    result.phases.flatMap((p) => p.scenarios.filter((s) => s.ratios?.distinctOverRepeated != null)),
    (s) => s.ratios.distinctOverRepeated >= TARGETS.distinctOverRepeated,
    (s) => `${s.id} ${pct(s.ratios.distinctOverRepeated)}`,
  );
  // VmHWM of the gateway process: each latency starts a new one, so the peak of the run is the largest.
  const peaks = result.phases.flatMap((p) =>
    p.scenarios.flatMap((s) =>
      [s.systems?.gateway, s.distinct].map((x) => x?.rssPeakBytes).filter((x) => x != null),
    ),
  );
  add(
    'issue 16',
    `gateway peak RSS (VmHWM) over the run ≤ ${fmtMB(TARGETS.peakRssBytes)} MB`,
    peaks.length ? [Math.max(...peaks)] : [],
    (x) => x <= TARGETS.peakRssBytes,
    (x) => `${fmtMB(x)} MB`,
  );

  // --- issue 10, still measured and not replaced ---
  add(
    'issue 10',
    `gateway ≥ ${TARGETS.overMesh}× Mesh's ops/s on every scenario (0 ms)`,
    (zero?.scenarios ?? []).filter((s) => s.ratios?.gatewayOverMesh != null),
    (s) => s.ratios.gatewayOverMesh >= TARGETS.overMesh,
    (s) => `${s.id} ${fmtRatio(s.ratios.gatewayOverMesh)}`,
  );
  const withCalls = result.phases[0]?.scenarios ?? [];
  add(
    'issue 10',
    'no more upstream calls than Mesh (one operation)',
    withCalls.filter((s) => s.callsPerOpSingle?.gateway != null && s.callsPerOpSingle?.mesh != null),
    (s) => s.callsPerOpSingle.gateway <= s.callsPerOpSingle.mesh,
    (s) => `${s.id} ${s.callsPerOpSingle.gateway} vs ${s.callsPerOpSingle.mesh}`,
  );
  for (const phase of slow.length ? slow : [{ latencyMs: 20, scenarios: [] }]) {
    const L = phase.latencyMs;
    for (const [view, label] of [
      ['many', `${connections} connections`],
      ['one', '1 connection'],
    ]) {
      const gatewayP50 = (s) => p50Of(P50_VIEWS[view](s, 'gateway'));
      const target = (s) => s.chain * L + TARGETS.p50SlackMs;
      add(
        'issue 10',
        `p50 ≤ (dependent chain × ${L} ms) + ${TARGETS.p50SlackMs} ms at ${L} ms, ${label} (scenarios of more than one round trip)`,
        phase.scenarios.filter((s) => s.chain > 1 && gatewayP50(s) != null),
        (s) => gatewayP50(s) <= target(s),
        (s) => `${s.id} ${fmtP50(gatewayP50(s))} (≤ ${target(s)})`,
      );
    }
  }
  return out;
}

// --- facts about the run ------------------------------------------------------------------------------

export function machineInfo() {
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

export function versionInfo() {
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
    tailcall: pkgVersion(benchDir, '@tailcallhq/core-linux-x64-gnu'),
    bare: { undici: pkgVersion(rootDir, 'undici') },
    autocannon: pkgVersion(benchDir, 'autocannon'),
  };
}

// --- writing it all -------------------------------------------------------------------------------------

/** Writes `<date>.json`, chart.svg and RESULTS.md; returns their paths. */
export function writeResults(result, { resultsDir, markdownDir }) {
  result.targets = evaluateTargets(result);
  const stamp = result.date.replace(/[:.]/g, '-');
  const jsonPath = join(resultsDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const chartPath = join(resultsDir, 'chart.svg');
  writeChart(chartPath, result);
  const mdPath = join(markdownDir, 'RESULTS.md');
  writeMarkdown(mdPath, result, { chartPath, jsonPath, mdPath });
  return { jsonPath, chartPath, mdPath };
}

export function printSummary(result) {
  const ratio = (x) => (x == null ? '-' : `${x.toFixed(2)}x`);
  for (const phase of result.phases) {
    console.log(
      `\n${phase.latencyMs} ms upstream latency: ops/s median [CPU µs/op] (gateway/Mesh, gateway/Tailcall, gateway/bare, gateway/raw, cached/gateway)`,
    );
    for (const s of phase.scenarios) {
      const cells = result.config.systems
        .map((sys) => {
          const x = s.systems[sys];
          const cpu = x.cpuUsPerOpMedian != null ? ` [${x.cpuUsPerOpMedian.toFixed(0)}]` : '';
          return `${sys} ${x.opsMedian.toFixed(0)}${cpu}`;
        })
        .join('  ');
      const r = s.ratios;
      const hits = s.systems.cached?.hitRatio;
      const hitText = hits != null ? `  cache hit ratio ${(hits * 100).toFixed(1)}%` : '';
      const distinct = s.distinct
        ? `  distinct docs ${s.distinct.opsMedian.toFixed(0)} (${ratio(r.distinctOverRepeated)})`
        : '';
      console.log(
        `  ${s.id}  ${cells}  (${ratio(r.gatewayOverMesh)}, ${ratio(r.gatewayOverTailcall)}, ${ratio(r.gatewayOverBare)}, ${ratio(r.gatewayOverRaw)}, ${ratio(r.cachedOverGateway)})${hitText}${distinct}`,
      );
      if (phase.latencyMs > 0) {
        const p50 = (x) => fmtP50(p50Of(x));
        const ten = Object.entries(s.systems)
          .filter(([sys]) => sys !== 'cached')
          .map(([sys, x]) => `${sys} ${p50(x)}`)
          .join(' ');
        const one = Object.entries(s.oneConnection?.systems ?? {})
          .map(([sys, x]) => `${sys} ${p50(x)}`)
          .join(' ');
        const target =
          s.chain == null
            ? '?'
            : s.chain === 1
              ? `bare + ${TARGETS.p50SlackMs}`
              : s.chain * phase.latencyMs + TARGETS.p50SlackMs;
        console.log(`      p50 ms (target ${target}): ${ten}${one ? `; at 1 connection: ${one}` : ''}`);
      }
    }
  }
  console.log('\nTargets');
  for (const t of evaluateTargets(result)) {
    const verdict = t.met == null ? 'not measured' : t.met ? 'met' : 'MISSED';
    console.log(`  ${verdict.padEnd(12)} ${t.source}: ${t.target}: ${t.measured}`);
  }
}
