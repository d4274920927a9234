import DataLoader from 'dataloader';

/**
 * One resource's cache for one request, owned by the source client that knows the resource: the only
 * place a loaded object lives. Loads of one tick are batched into one call of the source's batch
 * function; whatever a list or a mutation answer brings is put in with `prime`/`replace`, so a later
 * load of the same key costs nothing and a mutation's answer is what the rest of the request reads.
 */
export class ResourceCache<V> {
  private readonly loader: DataLoader<string, V>;

  constructor(batch: (keys: readonly string[]) => Promise<Array<V | Error>>) {
    this.loader = new DataLoader(batch);
  }

  load(key: string): Promise<V> {
    return this.loader.load(key);
  }

  /** One result or Error per key, in key order: one failing key never fails the others. */
  loadMany(keys: readonly string[]): Promise<Array<V | Error>> {
    return this.loader.loadMany(keys);
  }

  /** Items a list brought: kept unless the request already holds (or is loading) that key. */
  prime(items: Iterable<V>, keyOf: (item: V) => string): void {
    for (const item of items) this.loader.prime(keyOf(item), item);
  }

  /** What a write answered: it replaces whatever the request held for that key. */
  replace(key: string, value: V): void {
    this.loader.clear(key).prime(key, value);
  }

  clear(): void {
    this.loader.clearAll();
  }
}

/**
 * A list read at most once per request (a list endpoint, or one page of it), whose items prime a
 * ResourceCache as soon as it arrives. The priming reaction is the first one registered on the read,
 * so anything that awaits the list (and then loads one of its items) finds the item cached.
 *
 * A batch joins the read while it is in flight, or after it failed (its error then answers the keys):
 * once it succeeded, its items are in the cache, so a key that still reaches a batch is not among them.
 */
export class ListRead<R> {
  private read: Promise<R> | undefined;
  private state: 'none' | 'pending' | 'ok' | 'failed' = 'none';

  constructor(
    private readonly fetch: () => Promise<R>,
    private readonly prime: (result: R) => void,
  ) {}

  get(): Promise<R> {
    if (this.read) return this.read;
    const fetched = this.fetch();
    this.state = 'pending';
    const read = fetched.then(
      (result) => {
        if (this.read === read) this.state = 'ok';
        this.prime(result);
        return result;
      },
      (error: unknown) => {
        if (this.read === read) this.state = 'failed';
        throw error;
      },
    );
    this.read = read;
    return read;
  }

  /** Whether a batch should take its keys from this read rather than decide for itself. */
  get joinable(): boolean {
    return this.state === 'pending' || this.state === 'failed';
  }

  /**
   * Whether a batch of `keys` keys should be answered from this list: it joins a read in flight (or a
   * failed one, whose error answers the keys); with none started, it starts one from `threshold` keys
   * on. After a read succeeded, its items are cached, so the keys that still come are not among them.
   */
  answers(keys: number, threshold: number): boolean {
    return this.joinable || (this.state === 'none' && keys >= threshold);
  }

  get started(): boolean {
    return this.state !== 'none';
  }

  /** Starts the read for a later batch; a failure is reported there, to the field that needs it. */
  prefetch(): void {
    this.get().catch(() => {});
  }

  /** Forgets the read: after a write, the list may no longer be what the upstream would answer. */
  reset(): void {
    this.read = undefined;
    this.state = 'none';
  }
}

/**
 * Reads of one list endpoint keyed by their parameters (a page, a workspace's members, a search), each
 * read once per request, all priming the same cache.
 */
export class ListReads<R> {
  private readonly reads = new Map<string, ListRead<R>>();

  constructor(private readonly prime: (result: R) => void) {}

  /** The read for `key`, created with `fetch` the first time. */
  of(key: string, fetch: () => Promise<R>): ListRead<R> {
    let read = this.reads.get(key);
    if (!read) {
      read = new ListRead(fetch, this.prime);
      this.reads.set(key, read);
    }
    return read;
  }

  /**
   * The reads a batch should wait for: those in flight, and those that failed (their error answers the
   * batch's keys); a read that succeeded has primed the cache already.
   */
  joinable(): Array<Promise<R>> {
    return [...this.reads.values()].filter((read) => read.joinable).map((read) => read.get());
  }

  clear(): void {
    this.reads.clear();
  }
}
