import { type DestinationStream, pino } from 'pino';

/**
 * The gateway's logger. Credentials never reach it: the HTTP layer logs method, path and status only,
 * and these redaction paths are a second line of defence for anything that logs headers.
 */
export function createLogger(level: string, destination?: DestinationStream) {
  return pino(
    {
      level,
      base: undefined,
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
