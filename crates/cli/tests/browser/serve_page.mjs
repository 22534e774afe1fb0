// Drives `sanderling serve` with Debian's Chromium (headless, through
// playwright-core): starts the server, loads its page, and uses the three
// channels as a person would: an echo, a chat line, a file through the
// file input. Prints one JSON line {"kind":"result",...} with what the page
// showed and what the server printed; saves a screenshot.
//
// Run inside a network namespace with a non-loopback address (netns.sh):
// Chromium never offers 127.0.0.1 candidates.
//
// usage: node serve_page.mjs SANDERLING_BIN FILE SCREENSHOT.png

import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [bin, file, screenshot] = process.argv.slice(2);
const PATIENCE = 90_000;

const server = spawn(bin, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const serverOut = [];
let onLine = () => {};
let buffered = '';
server.stdout.on('data', (d) => {
  buffered += d;
  let i;
  while ((i = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    serverOut.push(line);
    onLine(line);
  }
});
server.stderr.on('data', (d) => serverOut.push(`[stderr] ${String(d).trim()}`));

function serverLine(pred, what) {
  const found = serverOut.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed no ${what}:\n${serverOut.join('\n')}`)), PATIENCE);
    const prev = onLine;
    onLine = (l) => { prev(l); if (pred(l)) { clearTimeout(timer); resolve(l); } };
    server.on('exit', (c) => reject(new Error(`server exited (${c}):\n${serverOut.join('\n')}`)));
  });
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanderling-chromium-'));
let browser;
let result = { kind: 'result' };
let rc = 0;
try {
  const banner = await serverLine((l) => l.startsWith('serving on '), '"serving on"');
  const url = banner.match(/http:\/\/\S+\//)[0];
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // Real addresses in the candidates, not mDNS names (we cannot resolve those).
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
  const page = browser.pages()[0] ?? await browser.newPage();
  page.setDefaultTimeout(PATIENCE);
  page.on('console', (m) => console.error('[page]', m.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'connected');

  await page.waitForSelector('#echo-send:not([disabled])');
  await page.fill('#echo-input', 'hello echo');
  await page.click('#echo-send');
  await page.waitForFunction(() => document.getElementById('echo-log').textContent.includes('echoed: hello echo'));

  await page.waitForSelector('#chat-send:not([disabled])');
  await page.fill('#chat-input', 'hello chat');
  await page.click('#chat-send');
  await page.waitForFunction(() => document.getElementById('chat-log').textContent.includes(': hello chat'));

  await page.waitForSelector('#file-input:not([disabled])');
  await page.setInputFiles('#file-input', file);
  await page.waitForFunction(() => document.getElementById('file-verdict').textContent !== '');
  await serverLine((l) => l.includes(' sha-256 '), 'file line');

  const text = (id) => page.$eval(`#${id}`, (e) => e.textContent);
  result = {
    kind: 'result',
    status: await text('status'),
    echo: await text('echo-log'),
    chat: await text('chat-log'),
    file_status: await text('file-status'),
    local_hash: await text('file-local-hash'),
    server_hash: await text('file-server-hash'),
    verdict: await text('file-verdict'),
    progress: await page.$eval('#file-progress', (e) => e.value),
  };
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (e) {
  result.error = String(e.stack || e);
  rc = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  server.kill('SIGINT');
  await new Promise((r) => { if (server.exitCode !== null) r(); else { server.on('exit', r); setTimeout(r, 5000); } });
  fs.rmSync(profile, { recursive: true, force: true });
}
result.server = serverOut;
console.log(JSON.stringify(result));
process.exit(rc);
