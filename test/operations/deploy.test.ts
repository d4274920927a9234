import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';

// No image can be built here (no registry for base images), so these tests check what can be checked
// without one: the files parse, and every name, port, path and variable they rely on exists in the code.

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** A variable the gateway reads (src/config.ts); a manifest setting any other is a typo. */
const known = (name: string) => ENV_VARIABLES.includes(name);

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below.
type Yaml = any;

const k8s = (file: string): Yaml => parse(read(`deploy/kubernetes/${file}`));
const deployment = k8s('deployment.yaml');
const container = deployment.spec.template.spec.containers[0];
const env: Record<string, string> = Object.fromEntries(
  container.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
);

/** The gateway as the manifests configure it, answering its probe paths. */
async function probe(path: string, ready = true): Promise<number> {
  const gateway = createGateway({ config: loadConfig({ SANDBOX: '0' }), logger: createLogger('silent') });
  try {
    if (ready) gateway.markReady();
    return (await gateway.fetch(`http://gateway.test${path}`)).status;
  } finally {
    await gateway.dispose();
  }
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs node directly, as a non-root user, in production mode', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/NODE_ENV=production/);
    expect(final).toMatch(/^CMD \["node", .*"dist\/index\.js"\]$/m);
    expect(final).not.toMatch(/npm (start|run)/);
  });

  it('copies the files the gateway reads at run time beside dist/: the examples and the trusted-documents manifest', () => {
    // src/examples.ts reads schema/examples; src/config.ts reads the manifest for PERSISTED_OPERATIONS=only.
    for (const path of ['schema/examples', 'schema/generated/persisted-documents.json']) {
      expect(final).toMatch(new RegExp(`^COPY ${path} \\./${path}$`, 'm'));
    }
  });

  it('exposes the ports its environment sets and checks a path the gateway serves', async () => {
    const port = /PORT=(\d+)/.exec(final)?.[1];
    const metricsPort = /METRICS_PORT=(\d+)/.exec(final)?.[1];
    expect(final).toMatch(new RegExp(`^EXPOSE ${port} ${metricsPort}$`, 'm'));
    for (const name of final.matchAll(/^\s+([A-Z_]+)=/gm)) expect(known(name[1] as string)).toBe(true);
    for (const name of final.matchAll(/ENV ([A-Z_]+)=/g)) expect(known(name[1] as string)).toBe(true);
    const healthPath = /HEALTHCHECK[\s\S]*?'(\/[a-z]+)'/.exec(final)?.[1];
    expect(healthPath).toBe('/health');
    expect(await probe(healthPath as string)).toBe(200);
  });
});

describe('Kubernetes manifests', () => {
  it('probe paths the gateway serves: liveness always, readiness only once ready', async () => {
    expect(container.livenessProbe.httpGet.port).toBe('http');
    expect(container.readinessProbe.httpGet.port).toBe('http');
    expect(await probe(container.livenessProbe.httpGet.path)).toBe(200);
    expect(await probe(container.readinessProbe.httpGet.path)).toBe(200);
    expect(await probe(container.readinessProbe.httpGet.path, false)).toBe(503);
  });

  it('sets only variables the gateway reads, and the ports it listens on', () => {
    for (const name of Object.keys(env)) expect({ name, known: known(name) }).toEqual({ name, known: true });
    const ports = Object.fromEntries(
      container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
    );
    expect(ports).toEqual({ http: Number(env.PORT), metrics: Number(env.METRICS_PORT) });
    expect(env.HOST).toBe('0.0.0.0');
    expect(() => loadConfig({ ...env, CURSOR_SECRET: 'x'.repeat(32) })).not.toThrow();
  });

  it('waits for the whole drain before killing a pod: preStop plus SHUTDOWN_TIMEOUT_MS', () => {
    const spec = deployment.spec.template.spec;
    const preStop = container.lifecycle.preStop.sleep.seconds;
    const budgetMs = Number(env.SHUTDOWN_TIMEOUT_MS);
    expect(budgetMs).toBe(10_000);
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStop * 1000 + budgetMs);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('the Service, PodDisruptionBudget and HPA select the Deployment and its named ports', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    const service = k8s('service.yaml');
    expect(service.spec.selector).toEqual(labels);
    const names = container.ports.map((p: { name: string }) => p.name);
    for (const port of service.spec.ports) expect(names).toContain(port.targetPort);
    expect(k8s('pdb.yaml').spec.selector.matchLabels).toEqual(labels);
    const hpa = k8s('hpa.yaml');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    for (const file of ['deployment.yaml', 'service.yaml', 'pdb.yaml', 'hpa.yaml']) {
      expect(parseAllDocuments(read(`deploy/kubernetes/${file}`)).every((d) => d.errors.length === 0)).toBe(
        true,
      );
    }
  });
});

describe('compose.yaml', () => {
  // The replicas share one definition through a YAML merge key (<<: *gateway).
  const compose = parse(read('compose.yaml'), { merge: true });

  it('runs two gateway replicas sharing one Redis and one OpenTelemetry collector', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'gateway-1',
      'gateway-2',
      'otel-collector',
      'redis',
    ]);
    const [one, two] = [compose.services['gateway-1'], compose.services['gateway-2']];
    expect(one.environment).toEqual(two.environment);
    for (const name of Object.keys(one.environment))
      expect({ name, known: known(name) }).toEqual({ name, known: true });
    expect(one.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(one.environment.CURSOR_SECRET).toBeTruthy();
    expect(Number.parseInt(one.stop_grace_period, 10) * 1000).toBeGreaterThan(
      Number(one.environment.SHUTDOWN_TIMEOUT_MS),
    );
  });

  it('sends traces to the collector on the port its OTLP/HTTP receiver listens on', () => {
    const collector = parse(read('deploy/otel-collector.yaml'));
    const receiver = collector.receivers.otlp.protocols.http.endpoint as string;
    const endpoint = new URL(compose.services['gateway-1'].environment.OTEL_EXPORTER_OTLP_ENDPOINT);
    expect(endpoint.hostname).toBe('otel-collector');
    expect(receiver.endsWith(`:${endpoint.port}`)).toBe(true);
    expect(collector.service.pipelines.traces.receivers).toEqual(['otlp']);
  });
});
