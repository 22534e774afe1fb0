// Chromium (Debian's, headless) as an interop peer of sanderling's suite,
// driven by playwright-core. The peer itself is chromium_page.js in
// chromium_page.html; this process only carries lines between our
// stdin/stdout and the page.
//
// Chromium offers no 127.0.0.1 candidate, so the suite runs this inside a
// private network namespace whose one address is 198.18.0.1 (see
// tests/chromium.rs). Extra Chromium switches come from the environment
// (SANDERLING_CHROMIUM_ARGS, space-separated).

import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const write = (s) => process.stdout.write(s + '\n');
const extra = (process.env.SANDERLING_CHROMIUM_ARGS || '').split(' ').filter(Boolean);

const browser = await chromium.launch({
  executablePath: process.env.SANDERLING_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    // Real host addresses in candidates, not mDNS names (we resolve none).
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    ...extra,
  ],
});
const page = await browser.newPage();
page.on('console', (m) => process.stderr.write(`[chromium page] ${m.text()}\n`));
page.on('pageerror', (e) => write(JSON.stringify({ ev: 'error', message: `page: ${e}` })));
await page.exposeFunction('emitLine', write);
await page.goto(pathToFileURL(path.join(here, 'chromium_page.html')).href);
process.stderr.write(`[chromium] ${browser.version()}\n`);

let done = false;
async function quit() {
  if (done) return;
  done = true;
  await browser.close().catch(() => {});
  process.exit(0);
}

// page.evaluate calls are delivered in order; the page queues each line.
let last = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  if (JSON.parse(line).cmd === 'quit') { last.then(quit); return; }
  last = page.evaluate((l) => window.handleLine(l), line)
    .catch((e) => write(JSON.stringify({ ev: 'error', message: `bridge: ${e}` })));
}).on('close', () => last.then(quit));
