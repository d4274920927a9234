import { InputError } from '../errors.js';
import { builder } from './builder.js';

// Upstreams send ISO 8601 strings; the gateway passes them through unchanged rather than re-formatting
// them, so a client sees the upstream's precision and offset.
builder.scalarType('DateTime', {
  description: 'An RFC 3339 (ISO 8601) date-time, as the upstream sent it (e.g. 2023-11-07T05:31:56Z).',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw new InputError('DateTime must be an ISO 8601 string.');
    return value;
  },
});
