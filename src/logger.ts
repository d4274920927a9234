import { type DestinationStream, pino } from 'pino';
import { currentScope } from './telemetry/scope.js';

/**
 * The gateway's logger. Credentials never reach it: the HTTP layer logs method, path and status only,
 * and these redaction paths are a second line of defence for anything that logs headers.
 */
export function createLogger(level: string, destination?: DestinationStream) {
  return pino(
    {
      level,
      base: undefined,
      // Every line written while serving a request carries its id, so an upstream failure's warning can
      // be joined with that request's access-log line and with the upstream's own logs.
      mixin: () => {
        const scope = currentScope();
        return scope ? { requestId: scope.id } : {};
      },
      redact: {
        paths: [
          'headers.authorization',
          'req.headers.authorization',
          '*.authorization',
          'credential',
          '*.credential',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
