/**
 * `wsdiag proxy --target URL`: the main job. Flags → options (every flag checked and every file read
 * before anything listens: a typo is exit 2, not a half-started proxy) → runProxy until SIGINT/SIGTERM →
 * exit code.
 */
import type { Command } from 'commander';
import { runProxy } from '../../live/index.js';
import { action } from '../run.js';
import { addFlags } from '../flags.js';
import { ADMIN, adminOptions, type AdminFlags } from '../options/admin.js';
import { FILTER_FLAGS, FILTER_HELP, proxyFilterOptions, type FilterFlags } from '../options/filter.js';
import { OUTPUT } from '../options/output.js';
import { proxyCommandFlags, proxyRunOptions, type ProxyCommandFlags } from '../options/proxy.js';
import { UI, uiOptions, type UiFlags } from '../options/ui.js';
import { WORKERS, workersOptions, type WorkersFlags } from '../options/workers.js';
import { untilSignal } from '../signals.js';
import { tuneHeapForRelaying } from '../heap.js';

export function registerProxy(program: Command): void {
  const command = program
    .command('proxy')
    .description(
      'relay HTTP and WebSocket traffic to --target (or, without it, as an explicit proxy with TLS interception) byte for byte, decode both directions, report every violation',
    );
  addFlags(command, [
    ...proxyCommandFlags('127.0.0.1:8080', true),
    WORKERS.workers,
    OUTPUT.pcap,
    UI.ui,
    UI.uiBuffer,
    ADMIN.admin,
    ...FILTER_FLAGS,
  ])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag proxy --target ws://127.0.0.1:9000            # then point the client at ws://127.0.0.1:8080\n' +
        '  wsdiag proxy --target wss://api.example.com --listen 127.0.0.1:0 --json\n' +
        '  wsdiag proxy --target http://localhost:3000 --log wsdiag.log --quiet\n' +
        '  wsdiag proxy --target ws://localhost:9000 --enforce\n' +
        '  wsdiag proxy --target ws://localhost:9000 --server-accepts text --config wsdiag.json\n' +
        '  wsdiag proxy --target ws://localhost:9000 --ui          # the live dashboard (its address is printed)\n' +
        '  wsdiag proxy --target ws://localhost:9000 --workers auto   # one relay process per core, one log\n' +
        "  wsdiag proxy --target http://localhost:3000 --log all.log --type http --grep '^/api/'\n" +
        '  wsdiag proxy --target ws://localhost:9000 --admin 9464   # Prometheus scrapes http://127.0.0.1:9464/metrics\n' +
        '  wsdiag proxy --target ws://localhost:9000 --pcap relayed.pcapng  # then: tshark -r relayed.pcapng -Y websocket\n' +
        '  wsdiag proxy                                          # forward mode: an explicit proxy on 127.0.0.1:8080\n' +
        '  chromium --proxy-server=127.0.0.1:8080 --ignore-certificate-errors-spki-list=SPKI   # SPKI SHA-256 from wsdiag ca\n' +
        '  HTTPS_PROXY=http://127.0.0.1:8080 NODE_EXTRA_CA_CERTS=~/.wsdiag/ca-cert.pem node app.js\n' +
        '  curl --proxy http://127.0.0.1:8080 --cacert ~/.wsdiag/ca-cert.pem https://example.com/\n' +
        "  wsdiag proxy --intercept '*.example.com' --ca-dir ./ca   # intercept only these hosts, tunnel the rest blind\n" +
        `\n${FILTER_HELP}\n` +
        'In the proxy they choose what stdout shows (the listening line always shows); --log keeps every event, as\n' +
        'the record to read again with wsdiag tail and its filters, and the summary and the dashboard count everything.\n' +
        '\nCtrl-C (or SIGTERM) stops accepting, sends each open WebSocket a Close 1001 on both sides and waits up to\n' +
        '--grace for the closing handshakes, flushes the logs and prints the summary; a second Ctrl-C exits at once.\n' +
        'With --admin, /readyz answers 503 from the first moment of that drain and the endpoint serves until its end.\n' +
        'SIGHUP reopens the --log file at its path (log rotation: mv wsdiag.log wsdiag.log.1, then kill -HUP).\n' +
        'If stdout goes away (| head), events stop being printed (--log still gets them) and the proxy runs on.\n' +
        '--pcap draws each WebSocket connection as the TCP connections of its two legs (synthetic TCP/IP headers,\n' +
        'the payloads as relayed, handshake credentials redacted unless --show-secrets); plain HTTP is not written.\n' +
        '\nForward mode (no --target): absolute-URI requests and CONNECT tunnels; TLS to a host matching --intercept\n' +
        "is terminated with a certificate from wsdiag's local CA (wsdiag ca: how to trust it) and re-opened, verified,\n" +
        'to the real host; other hosts are tunnelled blind (a tunnel event). It listens on loopback only, unless\n' +
        '--allow-remote --allow-from CIDR.\n' +
        'Exit status: 0 stopped normally, 2 bad usage or unreadable file, 3 cannot listen (--listen, --ui, --admin)\n' +
        'or a log or pcap file could not be written.',
    )
    .action(
      action((flags: ProxyCommandFlags & UiFlags & FilterFlags & WorkersFlags & AdminFlags) => {
        const options = {
          ...proxyRunOptions(flags),
          ...uiOptions(flags),
          ...proxyFilterOptions(flags),
          ...workersOptions(flags),
          ...adminOptions(flags),
          ...(flags.pcap !== undefined ? { pcap: flags.pcap } : {}),
        };
        tuneHeapForRelaying();
        return untilSignal(({ signal, onHangup }) =>
          runProxy(options, { stdout: process.stdout, stderr: process.stderr, signal, onHangup }),
        );
      }),
    );
}
