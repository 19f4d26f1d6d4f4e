/**
 * A real browser proves the SPKI hash: headless Chromium loads https://app.test:PORT/ from a local HTTPS
 * server whose certificate is minted for app.test, with the name mapped to 127.0.0.1 and the CA trusted
 * only through --ignore-certificate-errors-spki-list. With the CA's hash the page loads; with another
 * CA's hash the same load fails with an untrusted-certificate error. Skipped when chromium is not
 * installed (Debian: apt-get install chromium).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { chromiumPath } from '../support/binaries.js';
import { runProcess } from '../support/cli.js';
import { listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';

const chromium = chromiumPath();
const skip = 'skip' in chromium ? chromium.skip : false;
const MARKER = 'served-with-a-wsdiag-leaf';

/** Loads `url` in headless Chromium and returns the DOM it ended with, and its stderr. */
async function dumpDom(url: string, spkiList: string, profileRoot: string): Promise<{ dom: string; log: string }> {
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
  const run = await runProcess('path' in chromium ? chromium.path : 'chromium', args, { timeoutMs: 90_000 });
  return { dom: run.stdout, log: run.stderr };
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
    url = `https://app.test:${await listen(server)}/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
