// Writes the benchmark's report: a Markdown page and a hand-made SVG chart (grouped bars of ops/s per
// scenario and system, one panel per upstream latency, log scale because raw and gateways differ by
// orders of magnitude).
import { writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const COLORS = { gateway: '#2f6fdf', cached: '#7fb0ff', mesh: '#e0733a', raw: '#7a7a7a' };
const LABELS = {
  gateway: 'this gateway',
  cached: 'this gateway, response cache on',
  mesh: 'GraphQL Mesh v1',
  raw: 'raw upstream',
};

const fmtOps = (x) => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const fmtRatio = (x) => (x == null ? '–' : `${x.toFixed(2)}×`);
const fmtMB = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(0)}`);
const fmtCalls = (x) => (x == null ? '–' : x.toFixed(2));
const fmtPct = (x) => (x == null ? '–' : `${(x * 100).toFixed(1)}%`);
// autocannon reports latency in whole milliseconds (with .5 steps at percentiles): 0 means under 1 ms.
const fmtMs = (x) => (x == null ? '–' : x < 1 ? '<1' : String(x));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeMarkdown(path, result, { chartPath, jsonPath, mdPath }) {
  const rel = (p) => relative(dirname(mdPath), p).split('\\').join('/');
  const { machine, versions, config } = result;
  const lines = [];
  lines.push(`# Benchmark results${result.quick ? ' (quick run)' : ''}`);
  lines.push('');
  lines.push(
    `This gateway vs GraphQL Mesh v1 (\`@graphql-mesh/compose-cli\` + \`@omnigraph/openapi\`, served by ` +
      '`@graphql-hive/gateway`) vs the raw upstream (the matatika sandbox itself, the limit), one run on one ' +
      'machine. Compare the **ratios**: absolute numbers move with the machine and its neighbours.',
  );
  lines.push('');
  lines.push(`![ops/s per scenario and system](${rel(chartPath)})`);
  lines.push('');
  lines.push(`- Date: ${result.date}`);
  lines.push(`- Command: \`${result.command}\``);
  lines.push(
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; load generator, ` +
      'sandbox and both gateways share these cores',
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
  lines.push(`- Load: autocannon ${versions.autocannon}`);
  lines.push(
    `- Method: per scenario, a warm-up per system (${config.warmupRequests ? `${config.warmupRequests} requests` : `${config.warmupSec} s`}), then ${config.rounds} rounds of ` +
      `${config.durationSec} s per system with ${config.connections} connections, the systems alternating ` +
      '(the first one rotates each round). Systems: ' +
      config.systems.map((s) => LABELS[s]).join(', ') +
      '.',
  );
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
    lines.push(
      '| scenario | system | ops/s median (min–max) | p50 ms | p99 ms | upstream calls/op | RSS after load (MB) | failed |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const s of phase.scenarios) {
      config.systems.forEach((sys, i) => {
        const x = s.systems[sys];
        if (!x) return;
        lines.push(
          `| ${i === 0 ? s.id : ''} | ${LABELS[sys]} | **${fmtOps(x.opsMedian)}** (${fmtOps(x.opsMin)}–${fmtOps(x.opsMax)}) | ` +
            `${fmtMs(x.p50)} | ${fmtMs(x.p99)} | ${fmtCalls(x.upstreamCallsPerOp)} | ${fmtMB(x.rssBytes)} | ${x.failed} |`,
        );
      });
    }
    lines.push('');
    lines.push('| scenario | gateway / Mesh (ops/s) | gateway / raw | Mesh / raw |');
    lines.push('|---|---:|---:|---:|');
    for (const s of phase.scenarios) {
      lines.push(
        `| ${s.id} | **${fmtRatio(s.ratios.gatewayOverMesh)}** | ${fmtRatio(s.ratios.gatewayOverRaw)} | ${fmtRatio(s.ratios.meshOverRaw)} |`,
      );
    }
    lines.push('');
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
    'The same logical query on both gateways (bench/lib/scenarios.mjs); before measuring, the harness',
  );
  lines.push(
    'sends each once to both, checks the answers are complete and that they hold the same data, and',
  );
  lines.push('from then on autocannon counts any answer that differs from that first one as failed.');
  lines.push('"raw" is one request straight at the sandbox: the single upstream call that answers the');
  lines.push(
    "scenario's main data, so gateway / raw is the share of the upstream's own rate a gateway keeps.",
  );
  lines.push('');
  lines.push('| scenario | raw upstream request | upstream calls for one operation (gateway, Mesh) |');
  lines.push('|---|---|---|');
  const first = result.phases[0];
  for (const s of first?.scenarios ?? []) {
    const c = s.callsPerOpSingle ?? {};
    lines.push(`| ${s.id} ${esc(s.title)} | \`${esc(s.raw)}\` | ${c.gateway ?? '–'}, ${c.mesh ?? '–'} |`);
  }
  lines.push('');
  lines.push('## How it is measured');
  lines.push('');
  lines.push('- Everything runs on 127.0.0.1. The sandbox (`src/sandbox`) runs in its own process');
  lines.push('  (bench/sandbox-server.ts), once per latency, with the latency injected on every answer.');
  lines.push("- This gateway runs as production does: `npm run build`, then `npm run serve`'s command");
  lines.push('  (`node --max-semi-space-size=8 --max-old-space-size=128 dist/index.js`) with');
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
  lines.push("- ops/s counts only answers identical to the verified one, divided by the round's duration;");
  lines.push("  p50/p99 are the medians over rounds of autocannon's per-round percentiles.");
  lines.push(
    "- Upstream calls/op: the sandbox's request count during the rounds (read after a short pause that",
  );
  lines.push(
    '  lets the calls of requests cut off at the end of a round finish) divided by the requests sent.',
  );
  lines.push('  The last table gives the exact count for one operation, taken before the load.');
  lines.push('- RSS: VmRSS from /proc of the gateway process (and any children) after its last round of the');
  lines.push('  scenario; the JSON also keeps the peak (VmHWM).');
  lines.push('');
  lines.push('## Reproduce');
  lines.push('');
  lines.push('```sh');
  lines.push('npm ci');
  lines.push(
    'npm run bench            # installs bench/ deps on first use (npm ci --prefix bench), builds, runs',
  );
  lines.push('npm run bench -- --quick # under two minutes; a harness check, written to bench/.work/quick/');
  lines.push('npm run bench -- --help');
  lines.push('```');
  lines.push('');
  lines.push(`Raw numbers: [${rel(jsonPath)}](${rel(jsonPath)}).`);
  lines.push('');
  writeFileSync(path, lines.join('\n'));
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
  const height = top + panelH + 70;
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
    out.push(`<rect x="${lx}" y="14" width="12" height="12" fill="${COLORS[sys]}"/>`);
    out.push(`<text x="${lx + 16}" y="24">${LABELS[sys]}</text>`);
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
          `<rect x="${bx}" y="${by.toFixed(1)}" width="22" height="${(top + panelH - by).toFixed(1)}" fill="${COLORS[sys]}"><title>${s.id} ${LABELS[sys]}: ${fmtOps(v)} ops/s</title></rect>`,
        );
        out.push(
          `<text x="${bx + 11}" y="${(by - 4).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${fmtOps(v)}</text>`,
        );
      });
      const cx = gx + (systems.length * 26) / 2 - 2;
      out.push(
        `<text x="${cx}" y="${top + panelH + 16}" text-anchor="middle" font-weight="600">${s.id}</text>`,
      );
      const r = s.ratios.gatewayOverMesh;
      if (r != null) {
        out.push(
          `<text x="${cx}" y="${top + panelH + 31}" text-anchor="middle" fill="#555" font-size="10">${fmtRatio(r)} Mesh</text>`,
        );
      }
    });
    out.push(`</g>`);
  });
  out.push(
    `<text x="${left}" y="${height - 12}" fill="#555" font-size="11">Q1 profile by id · Q2 members with profile emails · Q3 caller's workspaces · Q4 setDefaultWorkspace + read · Q5 wide query; under each group: this gateway's ops/s ÷ Mesh's</text>`,
  );
  out.push('</svg>');
  writeFileSync(path, `${out.join('\n')}\n`);
}
