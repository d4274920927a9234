import { UpstreamError } from '../errors.js';
import type { SourceName } from './registry.js';

/** A caller's credential for one source, resolved lazily so a query that never touches a source never needs one. */
export interface Credential {
  /** The bearer token to send; rejects with UNAUTHENTICATED when there is none. */
  get(): Promise<string>;
  /**
   * Present only for server-side tokens the gateway obtained itself (upsun's exchange): a fresh token
   * after the upstream refused `stale`. A caller's own token is never renewed; the caller must.
   */
  renew?(stale: string): Promise<string>;
}

const SCHEME = /^(\S+)\s+(\S.*)$/;

/**
 * The caller's credential as it arrived in `header`, else the server-side `apiToken`. A bare value is a
 * bearer token; `Bearer x` is accepted as is; any other scheme is refused rather than rewritten, since
 * sending `Basic …` as a bearer token would only leak it to the upstream's logs.
 */
export function staticCredential(
  source: SourceName,
  header: { name: string; value: string | null },
  apiToken: string | null,
): Credential {
  const fromHeader = header.value?.trim() || null;
  let token: string | null = fromHeader ?? apiToken;
  let problem: string | null = null;
  const scheme = fromHeader ? SCHEME.exec(fromHeader) : null;
  if (scheme) {
    if (scheme[1]?.toLowerCase() === 'bearer') token = scheme[2]?.trim() ?? null;
    else problem = `The ${source} credential in the ${header.name} header must be a bearer token.`;
  }
  if (token === null && problem === null) {
    problem = `No ${source} credential: send it in the ${header.name} header.`;
  }
  // The error is only built when a resolver asks for the credential: most requests touch one source.
  return problem === null
    ? { get: () => Promise.resolve(token as string) }
    : { get: () => Promise.reject(new UpstreamError('UNAUTHENTICATED', source, problem)) };
}
