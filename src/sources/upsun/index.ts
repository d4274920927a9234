import type { SourceDescriptor } from '../descriptor.js';
import { ROUTES, UpsunClient } from './client.js';
import { upsunMessage } from './payloads.js';
import { AUTH_ROUTES, UpsunTokenExchange } from './token-exchange.js';

/** Upsun: user profiles, paged by offset; its API token is exchanged for a bearer, never sent to the API. */
export const upsun: SourceDescriptor<UpsunClient> = {
  tokenHeader: 'x-upsun-authorization',
  routes: ROUTES,
  messageOf: upsunMessage,
  client: (session, cursors) => new UpsunClient(session, cursors),
  exchange: {
    routes: AUTH_ROUTES,
    create: (auth, apiToken, logger) => new UpsunTokenExchange(auth, apiToken, logger),
  },
};
