import type { Logger } from 'pino';
import type { Config, SourceName } from '../config.js';
import { staticCredential } from './credentials.js';
import { HttpSource } from './http.js';
import { MatatikaClient } from './matatika/client.js';
import { matatikaMessage } from './matatika/payloads.js';

/** The long-lived part of every source: its connection pool. Null where the source has no URL. */
export interface Upstreams {
  http: Record<SourceName, HttpSource | null>;
  close(): Promise<void>;
}

const MESSAGE_OF: Record<SourceName, ((body: unknown) => string | undefined) | undefined> = {
  matatika: matatikaMessage,
  cadenya: undefined,
  moltaro: undefined,
  upsun: undefined,
};

export function createUpstreams(config: Config, logger: Logger): Upstreams {
  const http = {} as Record<SourceName, HttpSource | null>;
  for (const [source, sourceConfig] of Object.entries(config.sources) as Array<
    [SourceName, Config['sources'][SourceName]]
  >) {
    http[source] = sourceConfig.url
      ? new HttpSource({
          source,
          baseUrl: sourceConfig.url,
          timeoutMs: sourceConfig.timeoutMs,
          logger,
          messageOf: MESSAGE_OF[source],
        })
      : null;
  }
  return {
    http,
    close: async () => {
      await Promise.all(Object.values(http).map((h) => h?.close()));
    },
  };
}

/** What one request may reach: each source's client, bound to the caller's own credential for it. */
export interface SourceClients {
  matatika: MatatikaClient;
}

export function clientsFor(config: Config, upstreams: Upstreams, headers: Headers): SourceClients {
  const credential = (source: SourceName) => {
    const { tokenHeader, apiToken } = config.sources[source];
    return staticCredential(source, { name: tokenHeader, value: headers.get(tokenHeader) }, apiToken);
  };
  return {
    matatika: new MatatikaClient(upstreams.http.matatika, credential('matatika')),
  };
}
