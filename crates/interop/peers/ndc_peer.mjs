// node-datachannel (libdatachannel) as an interop peer of sanderling's suite.
//
// Speaks the line protocol described in crates/interop/src/link.rs on
// stdin/stdout, through node-datachannel's native API (not its W3C
// polyfill, so what we test is libdatachannel's behaviour). One connection
// at a time, bound to 127.0.0.1.

import crypto from 'node:crypto';
import readline from 'node:readline';
import ndc from 'node-datachannel';

const emit = (o) => process.stdout.write(JSON.stringify(o) + '\n');

let pc = null;
let channels = new Map(); // label -> { dc, digest, bytes }
let pcCount = 0;

function adopt(dc, info) {
  const label = dc.getLabel();
  const entry = { dc, digest: crypto.createHash('sha256'), bytes: 0, info };
  channels.set(label, entry);
  dc.onMessage((msg) => {
    if (typeof msg === 'string') {
      emit({ ev: 'message', label, text: msg });
      return;
    }
    const buf = Buffer.from(msg);
    entry.digest.update(buf);
    entry.bytes += buf.length;
    const report = { ev: 'message', label, len: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex') };
    if (buf.length <= 1024) report.hex = buf.toString('hex');
    emit(report);
  });
  dc.onClosed(() => emit({ ev: 'close', label }));
  dc.onError((err) => emit({ ev: 'error', message: `channel ${label}: ${err}` }));
  return entry;
}

function reportOpen(entry) {
  const dc = entry.dc;
  const open = { ev: 'open', label: dc.getLabel(), id: dc.getId(), protocol: dc.getProtocol() };
  if (entry.info) {
    // Our own channel: libdatachannel has no getters for these, so report
    // what we asked for.
    Object.assign(open, entry.info);
  } else {
    // A remote channel: its reliability is not readable here.
    Object.assign(open, { ordered: null, maxRetransmits: null, maxPacketLifeTime: null, negotiated: null, reliabilityHidden: true });
  }
  emit(open);
}

function newPc() {
  if (pc) pc.close();
  channels = new Map();
  pcCount += 1;
  pc = new ndc.PeerConnection(`peer${pcCount}`, {
    iceServers: [],
    bindAddress: '127.0.0.1',
    // The suite says when to offer; answers are made below.
    disableAutoNegotiation: true,
  });
  pc.onLocalDescription((sdp, type) => emit({ sdp, type: String(type).toLowerCase() }));
  pc.onLocalCandidate((candidate, mid) => {
    emit({ type: 'candidate', candidate: candidate.replace(/^a=/, ''), id: mid, label: 0 });
  });
  pc.onStateChange((state) => emit({ ev: 'state', state }));
  pc.onDataChannel((dc) => reportOpen(adopt(dc, null)));
  emit({ ev: 'ready' });
}

function openChannel(m) {
  const init = {};
  if (m.protocol) init.protocol = m.protocol;
  if (m.negotiated) { init.negotiated = true; init.id = m.id; }
  if (m.ordered === false) init.unordered = true;
  if (m.maxRetransmits != null) init.maxRetransmits = m.maxRetransmits;
  if (m.maxPacketLifeTime != null) init.maxPacketLifeTime = m.maxPacketLifeTime;
  const dc = pc.createDataChannel(m.label, init);
  const entry = adopt(dc, {
    ordered: m.ordered !== false,
    maxRetransmits: m.maxRetransmits ?? null,
    maxPacketLifeTime: m.maxPacketLifeTime ?? null,
    negotiated: !!m.negotiated,
  });
  if (dc.isOpen()) reportOpen(entry); else dc.onOpen(() => reportOpen(entry));
}

async function sendRandom(m) {
  const { dc } = channels.get(m.label);
  const digest = crypto.createHash('sha256');
  let sent = 0;
  dc.setBufferedAmountLowThreshold(256 * 1024);
  let wake = null;
  dc.onBufferedAmountLow(() => { if (wake) { const w = wake; wake = null; w(); } });
  while (sent < m.bytes) {
    const data = crypto.randomBytes(Math.min(m.chunk, m.bytes - sent));
    digest.update(data);
    dc.sendMessageBinary(data);
    sent += data.length;
    // Pace on the buffered amount, as an application should.
    while (dc.bufferedAmount() > 1024 * 1024) {
      await new Promise((res) => { wake = res; setTimeout(res, 50); });
    }
  }
  emit({ ev: 'sent', label: m.label, bytes: sent, sha256: digest.digest('hex') });
}

async function handle(m) {
  if (m.type && !m.cmd) {
    if (m.type === 'offer' || m.type === 'answer') {
      pc.setRemoteDescription(m.sdp, m.type);
      if (m.type === 'offer') pc.setLocalDescription('answer');
    } else if (m.type === 'candidate') {
      pc.addRemoteCandidate(m.candidate, m.id ?? '0');
    }
    return;
  }
  switch (m.cmd) {
    case 'pc': newPc(); break;
    case 'open_channel': openChannel(m); break;
    case 'offer': pc.setLocalDescription('offer'); break;
    case 'send': {
      const { dc } = channels.get(m.label);
      if (m.text !== undefined) dc.sendMessage(m.text); else dc.sendMessageBinary(Buffer.from(m.hex, 'hex'));
      break;
    }
    case 'send_random': await sendRandom(m); break;
    case 'digest': {
      const e = channels.get(m.label);
      emit({ ev: 'digest', label: m.label, bytes: e.bytes, sha256: e.digest.copy().digest('hex') });
      break;
    }
    case 'close_channel': channels.get(m.label).dc.close(); break;
    case 'close': pc.close(); break;
    case 'quit':
      if (pc) pc.close();
      ndc.cleanup();
      process.exit(0);
      break;
    default: emit({ ev: 'error', message: `unknown command ${m.cmd}` });
  }
}

// One line at a time, in order: a description must be applied before the
// candidates that follow it.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  queue = queue.then(() => handle(JSON.parse(line))).catch((e) => emit({ ev: 'error', message: String(e?.stack ?? e) }));
}).on('close', () => { queue.then(() => { if (pc) pc.close(); ndc.cleanup(); process.exit(0); }); });
