import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * The HMAC, under `secret`, of a caller's credential text: the scope the caches, single-flight and rate
 * limits key on. A caller sends the same credentials request after request, so each text's digest is
 * kept (at most 4 MB of texts) and computed once instead of on every request and every GET.
 */
export function scopeHasher(secret: Buffer): (credentials: string) => string {
  const digests = new LRUCache<string, string>({
    max: 10_000,
    maxSize: 4 * 1024 * 1024,
    sizeCalculation: (digest, text) => text.length + digest.length,
  });
  return (text) => {
    let digest = digests.get(text);
    if (digest === undefined) {
      digest = createHmac('sha256', secret).update(text).digest('base64url');
      digests.set(text, digest);
    }
    return digest;
  };
}
