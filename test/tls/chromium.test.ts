/**
 * A real browser proves the SPKI hash: headless Chromium loads https://app.test:PORT/ from a local HTTPS
 * server whose certificate is minted for app.test, with the name mapped to 127.0.0.1 and the CA trusted
 * only through --ignore-certificate-errors-spki-list. With the CA's hash the page loads; with another
 * CA's hash the same load fails with an untrusted-certificate error. Skipped when chromium is not
 * installed (Debian: apt-get install chromium).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { tempDir } from './helpers.js';

const CHROMIUM = ['chromium', 'chromium-browser'].find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
const skip = CHROMIUM === undefined ? 'chromium is not installed (apt-get install chromium)' : false;
const MARKER = 'served-with-a-wsdiag-leaf';

/** Loads `url` in headless Chromium and returns the DOM it ended with, and its stderr. */
function dumpDom(url: string, spkiList: string, profileRoot: string): Promise<{ dom: string; log: string }> {
  const args = [
    // The flags this machine's Chromium needs headless as root, without reaching out to the network.
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${mkdtempSync(join(profileRoot, 'profile-'))}`,
    '--host-resolver-rules=MAP app.test 127.0.0.1',
    `--ignore-certificate-errors-spki-list=${spkiList}`,
    '--dump-dom',
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM ?? 'chromium', args, { timeout: 90_000 }, (err, stdout, stderr) => {
      if (err !== null && err.killed) reject(new Error(`chromium did not finish: ${stderr}`));
      else resolve({ dom: stdout, log: stderr });
    });
  });
}

describe('Chromium trusts a minted leaf through the CA SPKI hash', { skip }, () => {
  const root = tempDir('chromium');
  let ca: CertificateAuthority;
  let otherCa: CertificateAuthority;
  let server: Server;
  let url: string;

  before(async () => {
    [ca, otherCa] = await Promise.all([
      CertificateAuthority.open({ dir: join(root.path, 'ca') }),
      CertificateAuthority.open({ dir: join(root.path, 'other') }),
    ]);
    const leaves = await LeafCertificates.create(ca);
    server = createServer({ SNICallback: leaves.sniCallback }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>t</title><p id="m">${MARKER} for ${req.headers.host ?? '?'}</p>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://app.test:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    root.remove();
  });

  it('with the CA SPKI hash the page loads', { timeout: 120_000 }, async () => {
    const { dom, log } = await dumpDom(url, ca.spkiSha256, root.path);
    assert.ok(dom.includes(`${MARKER} for app.test:`), `page not loaded:\n${dom}\n${log}`);
  });

  it('with another CA hash the same page is refused as untrusted', { timeout: 120_000 }, async () => {
    const { dom, log } = await dumpDom(url, otherCa.spkiSha256, root.path);
    assert.ok(!dom.includes(MARKER), 'the page must not load');
    assert.match(log, /ERR_CERT_AUTHORITY_INVALID/);
  });
});
