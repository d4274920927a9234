// Fault rules: validated when injected (a misuse fails at the call that made it, not as a puzzling response),
// matched in injection order, so `times`-limited rules injected one after another play out as a sequence.
import type { Fault, FaultRule, RecordedRequest, SandboxSource } from './types.js';

/** Truncated JSON, as a proxy cutting a response short would deliver it. */
export const MALFORMED_BODY = '{"_embedded": {"profiles": [{"id": "auth0|6a21dc7a';

export const SOURCES: readonly SandboxSource[] = ['matatika', 'cadenya', 'moltaro', 'upsun', 'upsun-auth'];

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class FaultTable {
  #rules: ActiveRule[] = [];

  /** Adds a rule (a copy: mutating the argument later changes nothing) and returns its remover. */
  add(rule: FaultRule): () => void {
    checkRule(rule);
    const active: ActiveRule = {
      rule: { ...rule, fault: { ...rule.fault } },
      remaining: rule.fault.times ?? Number.POSITIVE_INFINITY,
    };
    this.#rules.push(active);
    return () => this.#remove(active);
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault of the first rule matching the request, spending one of its `times`. */
  take(request: RecordedRequest): Fault | undefined {
    for (const active of this.#rules) {
      if (!matches(active.rule, request)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.#remove(active);
      return active.rule.fault;
    }
    return undefined;
  }

  #remove(active: ActiveRule): void {
    this.#rules = this.#rules.filter((r) => r !== active);
  }
}

export function matches(
  filter: { source?: SandboxSource; method?: string; path?: string | RegExp },
  request: RecordedRequest,
): boolean {
  if (filter.source !== undefined && filter.source !== request.source) return false;
  if (filter.method !== undefined && filter.method.toUpperCase() !== request.method) return false;
  if (filter.path === undefined) return true;
  // search() ignores a global regex's lastIndex, so a /g pattern still matches every time.
  return typeof filter.path === 'string'
    ? filter.path === request.path
    : request.path.search(filter.path) !== -1;
}

function checkRule({ source, fault }: FaultRule): void {
  if (source !== undefined && !SOURCES.includes(source)) {
    throw new TypeError(
      `Invalid FaultRule.source ${JSON.stringify(source)}. Must be one of ${SOURCES.join(', ')}`,
    );
  }
  if (typeof fault !== 'object' || fault === null) {
    throw new TypeError('Invalid FaultRule.fault. Must be an object');
  }
  const { times, status, latencyMs } = fault;
  if (times !== undefined && !(Number.isInteger(times) && times > 0)) {
    throw new RangeError(`Invalid Fault.times ${times}. Must be a positive integer`);
  }
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw new RangeError(`Invalid Fault.status ${status}. Must be an integer from 100 to 599`);
  }
  checkLatency(latencyMs, 'Fault.latencyMs');
  const outcomes = [fault.hang, fault.reset, fault.malformed, fault.body !== undefined].filter(
    Boolean,
  ).length;
  if (outcomes > 1) throw new TypeError('Invalid Fault. Set at most one of hang, reset, malformed and body');
}

export function checkLatency(ms: number | undefined, name: string): void {
  if (ms !== undefined && !(Number.isFinite(ms) && ms >= 0)) {
    throw new RangeError(`Invalid ${name} ${ms}. Must be a finite number >= 0`);
  }
}
