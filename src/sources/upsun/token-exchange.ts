import type { Logger } from 'pino';
import { UpstreamError } from '../../errors.js';
import type { HttpSource } from '../http.js';
import { pathOf } from '../paths.js';
import { decodePayload } from '../session.js';
import { tokenSchema } from './payloads.js';

/** The path the exchange calls below UPSUN_AUTH_URL, for the metrics' route label. */
export const AUTH_ROUTES = ['/oauth2/token'];

/** Renew this long before the bearer expires, so a call never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;
/** upsun's public OAuth client: basic auth as `platform-api-user` with an empty password. */
const CLIENT_BASIC = `Basic ${Buffer.from('platform-api-user:').toString('base64')}`;

/**
 * Turns UPSUN_API_TOKEN into a short-lived bearer at `{UPSUN_AUTH_URL}/oauth2/token` and caches it for
 * the whole process (it is the server's credential, not a caller's). Concurrent requests share one
 * exchange; a 401 from the API renews the bearer once. The API token goes only to the auth origin, only
 * in the form body.
 */
export class UpsunTokenExchange {
  private cached: { token: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;

  constructor(
    private readonly auth: HttpSource,
    private readonly apiToken: string,
    private readonly logger: Logger,
  ) {}

  get(): Promise<string> {
    if (this.cached && Date.now() < this.cached.expiresAt - EXPIRY_MARGIN_MS)
      return Promise.resolve(this.cached.token);
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** A fresh bearer after the API refused `stale`; callers refused together share one new exchange. */
  renew(stale: string): Promise<string> {
    if (this.cached?.token === stale) this.cached = null;
    return this.get();
  }

  private async exchange(): Promise<string> {
    try {
      const response = await this.auth.request({
        method: 'POST',
        path: pathOf('upsun', 'oauth2', 'token'),
        credential: null,
        headers: { authorization: CLIENT_BASIC },
        form: { grant_type: 'api_token', api_token: this.apiToken },
      });
      const data = decodePayload('upsun', tokenSchema, response);
      this.cached = { token: data.access_token, expiresAt: Date.now() + data.expires_in * 1000 };
      return data.access_token;
    } catch (error) {
      this.logger.warn({ source: 'upsun', err: (error as Error).message }, 'upsun token exchange failed');
      // The auth server's 400/401 means the configured token is wrong, which the caller cannot fix.
      if (
        error instanceof UpstreamError &&
        (error.code === 'UNAUTHENTICATED' || error.code === 'BAD_USER_INPUT')
      ) {
        throw new UpstreamError(
          'UNAUTHENTICATED',
          'upsun',
          `upsun refused UPSUN_API_TOKEN: ${error.message}`,
          {
            call: error.call,
          },
        );
      }
      throw error;
    }
  }
}
