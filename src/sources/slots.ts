/**
 * A request's share of one source's connections (UPSTREAM_CONCURRENCY): at most `limit` calls of it in
 * flight, the rest waiting in order. A freed slot is handed to the next waiter, never left for a
 * newcomer to take first. It allocates nothing for a call that finds a free slot, the common case.
 */
export class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
