/**
 * The scale-out examples stay valid: HAProxy and Prometheus accept their configurations (`haproxy -c`,
 * `promtool check config`, each skipped with a reason when not installed), the three files agree on the
 * ports, and the Kubernetes sidecar manifest (read with python3's yaml, as no cluster is at hand) probes the
 * admin port wsdiag serves and gives the drain more time than --grace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findBinary, skipWithout } from '../support/binaries.js';
import { runProcess } from '../support/cli.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const HAPROXY_CFG = `${EXAMPLES}scale-out/haproxy.cfg`;
const PROMETHEUS_YML = `${EXAMPLES}scale-out/prometheus.yml`;
const README = `${EXAMPLES}scale-out/README.md`;
const SIDECAR = `${EXAMPLES}kubernetes/sidecar.yaml`;

/** The YAML documents of a file as JSON, through python3's yaml module; null when that is not available. */
async function yamlDocuments(path: string): Promise<unknown[] | null> {
  if (findBinary('python3') === null) return null;
  const run = await runProcess('python3', [
    '-c',
    'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))',
    path,
  ]);
  if (run.code !== 0 && /No module named 'yaml'/.test(run.stderr)) return null;
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as unknown[];
}

interface Container {
  name: string;
  args?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}

describe('examples/scale-out and examples/kubernetes', () => {
  it('haproxy -c accepts haproxy.cfg', { skip: skipWithout('haproxy') }, async () => {
    const run = await runProcess(findBinary('haproxy')!, ['-c', '-f', HAPROXY_CFG]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  it('promtool check config accepts prometheus.yml', { skip: skipWithout('promtool', 'prometheus') }, async () => {
    const run = await runProcess(findBinary('promtool')!, ['check', 'config', PROMETHEUS_YML]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
  });

  it('the guide, haproxy.cfg and prometheus.yml agree on the ports: 809N relays, 919N admin, checked on /readyz', () => {
    const cfg = readFileSync(HAPROXY_CFG, 'utf8');
    const servers = [...cfg.matchAll(/^\s*server (\S+) 127\.0\.0\.1:(\d+) check port (\d+)$/gm)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(servers, [
      ['edge-1', '8091', '9191'],
      ['edge-2', '8092', '9192'],
      ['edge-3', '8093', '9193'],
    ]);
    assert.match(cfg, /^\s*mode tcp$/m);
    assert.match(cfg, /^\s*balance leastconn$/m);
    assert.match(cfg, /^\s*option httpchk GET \/readyz$/m);
    assert.match(readFileSync(PROMETHEUS_YML, 'utf8'), /targets: \['127\.0\.0\.1:9191', '127\.0\.0\.1:9192', '127\.0\.0\.1:9193'\]/);
    assert.match(readFileSync(README, 'utf8'), /--listen 127\.0\.0\.1:809\$n --admin 127\.0\.0\.1:919\$n/);
  });

  it('the sidecar probes /readyz and /healthz on the admin port wsdiag serves, and outlasts --grace', async (t) => {
    const docs = await yamlDocuments(SIDECAR);
    if (docs === null) {
      t.skip("python3's yaml module is not installed (apt-get install python3-yaml)");
      return;
    }
    const deployment = docs.find((d) => (d as { kind?: string }).kind === 'Deployment') as {
      spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
    };
    const pod = deployment.spec.template.spec;
    const wsdiag = pod.containers.find((c) => c.name === 'wsdiag');
    assert.ok(wsdiag?.args, 'a wsdiag container with its arguments');
    const arg = (flag: string): string => {
      const at = wsdiag.args!.indexOf(flag);
      assert.ok(at >= 0, `${flag} in ${wsdiag.args!.join(' ')}`);
      return wsdiag.args![at + 1]!;
    };
    assert.equal(wsdiag.args[0], 'proxy');
    const adminPort = Number(arg('--admin').split(':').at(-1));
    const port = (name: string): number | undefined => wsdiag.ports?.find((p) => p.name === name)?.containerPort;
    assert.equal(port('admin'), adminPort);
    assert.equal(port('ws'), Number(arg('--listen').split(':').at(-1)));
    assert.deepEqual(wsdiag.readinessProbe?.httpGet, { path: '/readyz', port: 'admin' });
    assert.deepEqual(wsdiag.livenessProbe?.httpGet, { path: '/healthz', port: 'admin' });
    const graceMs = Number(arg('--grace'));
    assert.ok(pod.terminationGracePeriodSeconds * 1000 > graceMs, `${pod.terminationGracePeriodSeconds} s > ${graceMs} ms`);
    assert.equal(arg('--instance'), '$(POD_NAME)');
  });
});
