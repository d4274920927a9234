import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../../src/config.js';

describe('config: parsed once, with errors that say what to set', () => {
  it('starts the sandbox by default and applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      sandbox: true,
      graphiql: true,
      introspection: true,
    });
    expect(config.sources.matatika).toEqual({
      url: null,
      tokenHeader: 'authorization',
      apiToken: null,
      authUrl: null,
      timeoutMs: 10_000,
      maxResponseBytes: 5 * 1024 * 1024,
    });
    expect(config).toMatchObject({
      maxUpstreamCalls: 120,
      requestTimeoutMs: 15_000,
      shutdownTimeoutMs: 10_000,
      corsOrigins: ['*'],
      circuit: { failures: 5, cooldownMs: 10_000 },
    });
    expect(config.sources.cadenya.tokenHeader).toBe('x-cadenya-authorization');
    expect(config.sources.moltaro.tokenHeader).toBe('x-moltaro-authorization');
    expect(config.sources.upsun.tokenHeader).toBe('x-upsun-authorization');
  });

  it('does not start the sandbox once any upstream URL is set, and keeps a path prefix', () => {
    const config = loadConfig({ MATATIKA_API_URL: 'https://app.matatika.com/prefix/' });
    expect(config.sandbox).toBe(false);
    expect(config.sources.matatika.url?.href).toBe('https://app.matatika.com/prefix');
  });

  it('turns GraphiQL, introspection and CORS off in production unless asked for', () => {
    const upstream = { MATATIKA_API_URL: 'https://app.matatika.com' };
    expect(loadConfig({ NODE_ENV: 'production', ...upstream })).toMatchObject({
      production: true,
      graphiql: false,
      introspection: false,
      corsOrigins: [],
    });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        GRAPHIQL: '1',
        INTROSPECTION: '1',
        CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
        ...upstream,
      }),
    ).toMatchObject({
      graphiql: true,
      introspection: true,
      corsOrigins: ['https://app.example.com', 'https://admin.example.com'],
    });
  });

  it('fails closed: production with no upstream URL refuses to start unless SANDBOX=1 says so', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /MATATIKA_API_URL, CADENYA_API_URL, MOLTARO_API_URL, UPSUN_API_URL: NODE_ENV=production needs at least one upstream URL/,
    );
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: '1' }).sandbox).toBe(true);
  });

  it('names every invalid variable and what it expects', () => {
    const invalid = {
      PORT: 'eighty',
      MATATIKA_API_URL: 'ftp://example.com',
      CADENYA_API_URL: 'https://api.cadenya.com?x=1',
      UPSUN_TIMEOUT_MS: '0',
      MOLTARO_TOKEN_HEADER: 'bad header',
      SANDBOX: 'yes',
      MAX_UPSTREAM_CALLS: '0',
      CORS_ORIGINS: 'https://app.example.com/path',
      CADENYA_MAX_RESPONSE_BYTES: 'lots',
    };
    expect(() => loadConfig(invalid)).toThrow(ConfigError);
    const message = (() => {
      try {
        loadConfig(invalid);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/PORT: must be a port number/);
    expect(message).toMatch(/MATATIKA_API_URL: must be an absolute http\(s\) URL/);
    expect(message).toMatch(/CADENYA_API_URL: must not contain a query string/);
    expect(message).toMatch(/UPSUN_TIMEOUT_MS: must be at least 1 ms/);
    expect(message).toMatch(/MOLTARO_TOKEN_HEADER: must be an HTTP header name/);
    expect(message).toMatch(/SANDBOX: must be 0 or 1/);
    expect(message).toMatch(/MAX_UPSTREAM_CALLS: must be at least 1/);
    expect(message).toMatch(/CORS_ORIGINS: must be a comma-separated list of origins/);
    expect(message).toMatch(/CADENYA_MAX_RESPONSE_BYTES: must be a whole number/);
  });

  it('turns tracing on only when an OTEL_* variable names an exporter, and never with OTEL_SDK_DISABLED=true', () => {
    const tracing = (env: Record<string, string>) => loadConfig(env).tracing.enabled;
    expect(tracing({})).toBe(false);
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracing({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(
      tracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
    ).toBe(false);
    expect(tracing({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(
      false,
    );
    expect(loadConfig({}).tracing.serviceName).toBe('profile-gateway');
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: must be an absolute URL/,
    );
  });

  it('serves metrics on METRICS_PORT when it is a port number', () => {
    expect(loadConfig({}).metricsPort).toBeNull();
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(() => loadConfig({ METRICS_PORT: 'metrics' })).toThrow(/METRICS_PORT: must be a port number/);
  });
});

describe('a source reads the variables its descriptor asks for', () => {
  it('gives only a source that exchanges its API token an AUTH_URL', () => {
    expect(ENV_VARIABLES).toContain('UPSUN_AUTH_URL');
    expect(ENV_VARIABLES).not.toContain('MATATIKA_AUTH_URL');
    const config = loadConfig({
      MATATIKA_AUTH_URL: 'https://auth.example.com',
      UPSUN_AUTH_URL: 'https://auth.upsun.com',
    });
    expect(config.sources.matatika.authUrl).toBeNull();
    expect(config.sources.upsun.authUrl?.href).toBe('https://auth.upsun.com/');
  });

  it("names a source's invalid variable with its prefix", () => {
    expect(() => loadConfig({ CADENYA_TIMEOUT_MS: 'soon' })).toThrow(
      /CADENYA_TIMEOUT_MS: must be a number of milliseconds/,
    );
  });
});
