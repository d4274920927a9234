/**
 * The benchmark's upstream: the project's sandbox in a child process of bench/run.mjs, so that its CPU
 * use is its own and the gateways under test talk to it over real sockets.
 *
 *   node --import tsx bench/sandbox-server.ts      (started by run.mjs with an IPC channel)
 *
 * Environment: BENCH_LATENCY_MS (injected latency, default 0); BENCH_SANDBOX_MODULE (another module with
 * the same startSandbox/demo exports, for developing the harness against a stand-in).
 *
 * IPC protocol (process.send): on start it sends {type:'ready', url, matatikaUrl, demo}; it answers
 * {type:'totals', id} with {type:'totals', id, totals:{all, bySource}}, and {type:'clearLog', id} with
 * {type:'ok', id}; {type:'setCaching', caching} sets the sandbox's Cache-Control and ETag (null: none).
 * It closes the sandbox and exits when the parent disconnects or sends {type:'close'}.
 */
import { pathToFileURL } from 'node:url';

type Totals = { all: number; bySource: Record<string, number> };
type Sandbox = {
  url: string;
  urlOf(source: string): string;
  totals: Totals | (() => Totals);
  clearLog(): void;
  setLatency?(ms: number): void;
  setCaching?(caching: unknown): void;
  close(): Promise<void> | void;
};
type SandboxModule = {
  startSandbox(opts: { port?: number; latencyMs?: number }): Promise<Sandbox>;
  demo: unknown;
};
type Message = { type: string; id?: number; ms?: number; caching?: unknown };

const modulePath = process.env.BENCH_SANDBOX_MODULE
  ? pathToFileURL(process.env.BENCH_SANDBOX_MODULE).href
  : new URL('../src/sandbox/index.ts', import.meta.url).href;
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 0);

const { startSandbox, demo } = (await import(modulePath)) as SandboxModule;
const sandbox = await startSandbox({ port: 0, latencyMs });

function readTotals(): Totals {
  const t = typeof sandbox.totals === 'function' ? sandbox.totals() : sandbox.totals;
  return { all: t.all, bySource: { ...t.bySource } };
}

let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await sandbox.close();
  } finally {
    process.exit(code);
  }
}

process.on('message', (message: Message) => {
  const reply = (body: Record<string, unknown>) => process.send?.({ id: message.id, ...body });
  switch (message.type) {
    case 'totals':
      reply({ type: 'totals', totals: readTotals() });
      break;
    case 'clearLog':
      sandbox.clearLog();
      reply({ type: 'ok' });
      break;
    case 'setLatency':
      sandbox.setLatency?.(message.ms ?? 0);
      reply({ type: 'ok' });
      break;
    case 'setCaching':
      sandbox.setCaching?.(message.caching ?? null);
      reply({ type: 'ok' });
      break;
    case 'close':
      void shutdown(0);
      break;
    default:
      reply({ type: 'error', message: `unknown message type ${message.type}` });
  }
});
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

process.send?.({
  type: 'ready',
  url: sandbox.url,
  matatikaUrl: sandbox.urlOf('matatika'),
  demo: JSON.parse(JSON.stringify(demo)),
});
