/**
 * Which request path a test run exercises: vitest runs the suite once per path (vitest.config.ts), and
 * every gateway a test builds or starts takes FAST_PATH from here, so one test proves both.
 */
export const pathEnv: Record<string, string> = process.env.FAST_PATH
  ? { FAST_PATH: process.env.FAST_PATH }
  : {};
