// The page side of the Chromium peer: the suite's line protocol (see
// crates/interop/src/link.rs) on the browser's own RTCPeerConnection.
// chromium_peer.mjs hands each line to window.handleLine and prints what
// the page passes to window.emitLine.
(() => {
  const emit = (o) => window.emitLine(JSON.stringify(o));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const unhex = (s) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
  const sha256 = async (data) => hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
  const concat = (parts, n) => {
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };

  let pc = null;
  let channels = new Map(); // label -> { dc, parts, bytes, chain }

  function adopt(dc) {
    dc.binaryType = 'arraybuffer';
    // Reports go out in arrival order although hashing is asynchronous.
    const entry = { dc, parts: [], bytes: 0, chain: Promise.resolve() };
    channels.set(dc.label, entry);
    dc.addEventListener('message', (ev) => {
      if (typeof ev.data === 'string') {
        entry.chain = entry.chain.then(() => emit({ ev: 'message', label: dc.label, text: ev.data }));
        return;
      }
      const bytes = new Uint8Array(ev.data);
      entry.parts.push(bytes);
      entry.bytes += bytes.length;
      entry.chain = entry.chain.then(async () => {
        const report = { ev: 'message', label: dc.label, len: bytes.length, sha256: await sha256(bytes) };
        if (bytes.length <= 1024) report.hex = hex(bytes);
        emit(report);
      });
    });
    dc.addEventListener('close', () => {
      entry.chain = entry.chain.then(() => emit({ ev: 'close', label: dc.label }));
    });
    const open = () => emit({
      ev: 'open', label: dc.label, id: dc.id, protocol: dc.protocol, ordered: dc.ordered,
      maxRetransmits: dc.maxRetransmits, maxPacketLifeTime: dc.maxPacketLifeTime, negotiated: dc.negotiated,
    });
    if (dc.readyState === 'open') open(); else dc.addEventListener('open', open, { once: true });
    return entry;
  }

  function newPc() {
    if (pc) pc.close();
    channels = new Map();
    pc = new RTCPeerConnection({ iceServers: [] });
    pc.addEventListener('icecandidate', (ev) => {
      // The empty end-of-candidates is not sent (aiortc's format has none).
      if (ev.candidate && ev.candidate.candidate) {
        emit({ type: 'candidate', candidate: ev.candidate.candidate, id: ev.candidate.sdpMid, label: ev.candidate.sdpMLineIndex });
      }
    });
    pc.addEventListener('datachannel', (ev) => adopt(ev.channel));
    pc.addEventListener('connectionstatechange', () => emit({ ev: 'state', state: pc.connectionState }));
    emit({ ev: 'ready' });
  }

  function openChannel(m) {
    const init = { ordered: m.ordered !== false, protocol: m.protocol || '' };
    if (m.maxRetransmits != null) init.maxRetransmits = m.maxRetransmits;
    if (m.maxPacketLifeTime != null) init.maxPacketLifeTime = m.maxPacketLifeTime;
    if (m.negotiated) { init.negotiated = true; init.id = m.id; }
    adopt(pc.createDataChannel(m.label, init));
  }

  async function sendRandom(m) {
    const { dc } = channels.get(m.label);
    const parts = [];
    let sent = 0;
    dc.bufferedAmountLowThreshold = 256 * 1024;
    while (sent < m.bytes) {
      const data = new Uint8Array(Math.min(m.chunk, m.bytes - sent));
      for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
      parts.push(data);
      dc.send(data);
      sent += data.length;
      // Pace on the buffered amount, as an application should.
      if (dc.bufferedAmount > 1024 * 1024) {
        await new Promise((res) => dc.addEventListener('bufferedamountlow', res, { once: true }));
      }
    }
    emit({ ev: 'sent', label: m.label, bytes: sent, sha256: await sha256(concat(parts, sent)) });
  }

  async function handle(m) {
    if (m.type && !m.cmd) {
      if (m.type === 'offer' || m.type === 'answer') {
        await pc.setRemoteDescription({ type: m.type, sdp: m.sdp });
        if (m.type === 'offer') {
          // The answer as created: candidates follow one by one.
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          emit({ type: answer.type, sdp: answer.sdp });
        }
      } else if (m.type === 'candidate') {
        await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.id ?? null, sdpMLineIndex: m.label ?? null });
      }
      return;
    }
    switch (m.cmd) {
      case 'pc': newPc(); break;
      case 'open_channel': openChannel(m); break;
      case 'offer': {
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        emit({ type: offer.type, sdp: offer.sdp });
        break;
      }
      case 'send': {
        const { dc } = channels.get(m.label);
        dc.send(m.text !== undefined ? m.text : unhex(m.hex));
        break;
      }
      case 'send_random': await sendRandom(m); break;
      case 'digest': {
        const e = channels.get(m.label);
        await e.chain;
        emit({ ev: 'digest', label: m.label, bytes: e.bytes, sha256: await sha256(concat(e.parts, e.bytes)) });
        break;
      }
      case 'close_channel': channels.get(m.label).dc.close(); break;
      case 'close': pc.close(); break;
      default: emit({ ev: 'error', message: `unknown command ${m.cmd}` });
    }
  }

  // One line at a time, in order: a description must be applied before
  // the candidates that follow it.
  let queue = Promise.resolve();
  window.handleLine = (line) => {
    queue = queue.then(() => handle(JSON.parse(line)))
      .catch((e) => emit({ ev: 'error', message: String(e?.stack ?? e) }));
  };
})();
