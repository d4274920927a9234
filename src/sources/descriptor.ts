import type { Logger } from 'pino';
import type { CursorCodec } from './cursor.js';
import type { HttpSource } from './http.js';
import type { SourceSession } from './session.js';

/** A server-side credential obtained by exchanging the source's API token (upsun's OAuth2 token endpoint). */
export interface TokenExchange {
  get(): Promise<string>;
  /** A fresh bearer after the upstream refused `stale`. */
  renew(stale: string): Promise<string>;
}

/**
 * Everything the gateway knows of one upstream outside its own folder: the registry lists one of these
 * per source, and configuration, pools, metrics and per-request clients are built from it.
 */
export interface SourceDescriptor<Client> {
  /** The incoming header carrying a caller's credential, unless <SOURCE>_TOKEN_HEADER names another. */
  tokenHeader: string;
  /** Path templates below the base URL (`{id}` standing for one segment), for the metrics' route label. */
  routes: readonly string[];
  /** The upstream's own message in an error body, when its format has one. */
  messageOf(body: unknown): string | undefined;
  /** The client one request reaches the source through, over that caller's session. */
  client(session: SourceSession, cursors: CursorCodec): Client;
  /**
   * How <SOURCE>_API_TOKEN stands in for a caller without a credential: sent as the bearer, or (with
   * `exchange`) traded at <SOURCE>_AUTH_URL for one and never sent to the API itself.
   */
  exchange?: {
    routes: readonly string[];
    create(auth: HttpSource, apiToken: string, logger: Logger): TokenExchange;
  };
}
