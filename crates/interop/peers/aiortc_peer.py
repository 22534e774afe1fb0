"""aiortc as an interop peer of sanderling's suite.

Speaks the line protocol described in crates/interop/src/link.rs on
stdin/stdout: signalling in aiortc's own contrib.signaling JSON, plus
control commands ("cmd") and reports ("ev"). One connection at a time.
"""

import asyncio
import hashlib
import json
import os
import sys

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

# aioice leaves loopback out of its host addresses, and the suite runs on
# 127.0.0.1 only: give it exactly that address.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


class Peer:
    def __init__(self):
        self.pc = None
        self.channels = {}
        self.digests = {}

    async def new_pc(self):
        if self.pc is not None:
            await self.pc.close()
        self.channels = {}
        self.digests = {}
        self.pc = RTCPeerConnection()
        pc = self.pc

        @pc.on("datachannel")
        def on_datachannel(channel):
            # aiortc never fires "open" on a remote channel: it is open.
            self.adopt(channel)
            self.report_open(channel)

        @pc.on("connectionstatechange")
        def on_state():
            emit({"ev": "state", "state": pc.connectionState})

        emit({"ev": "ready"})

    def adopt(self, channel):
        label = channel.label
        self.channels[label] = channel
        self.digests[label] = [hashlib.sha256(), 0]

        @channel.on("message")
        def on_message(message):
            if isinstance(message, str):
                emit({"ev": "message", "label": label, "text": message})
                return
            d = self.digests[label]
            d[0].update(message)
            d[1] += len(message)
            report = {
                "ev": "message",
                "label": label,
                "len": len(message),
                "sha256": hashlib.sha256(message).hexdigest(),
            }
            if len(message) <= 1024:
                report["hex"] = message.hex()
            emit(report)

        @channel.on("close")
        def on_close():
            emit({"ev": "close", "label": label})

    def report_open(self, channel):
        emit(
            {
                "ev": "open",
                "label": channel.label,
                "id": channel.id,
                "protocol": channel.protocol,
                "ordered": channel.ordered,
                "maxRetransmits": channel.maxRetransmits,
                "maxPacketLifeTime": channel.maxPacketLifeTime,
                "negotiated": channel.negotiated,
            }
        )

    def open_channel(self, m):
        channel = self.pc.createDataChannel(
            m["label"],
            maxPacketLifeTime=m.get("maxPacketLifeTime"),
            maxRetransmits=m.get("maxRetransmits"),
            ordered=m.get("ordered", True),
            protocol=m.get("protocol") or "",
            negotiated=bool(m.get("negotiated")),
            id=m.get("id"),
        )
        self.adopt(channel)
        if channel.readyState == "open":
            self.report_open(channel)
        else:
            channel.on("open", lambda: self.report_open(channel))

    async def send_random(self, m):
        channel = self.channels[m["label"]]
        total, chunk = m["bytes"], m["chunk"]
        digest = hashlib.sha256()
        channel.bufferedAmountLowThreshold = 256 * 1024
        low = asyncio.Event()
        channel.on("bufferedamountlow", low.set)
        sent = 0
        while sent < total:
            data = os.urandom(min(chunk, total - sent))
            digest.update(data)
            channel.send(data)
            sent += len(data)
            # Pace on the buffered amount, as an application should.
            while channel.bufferedAmount > 1024 * 1024:
                low.clear()
                await low.wait()
        emit({"ev": "sent", "label": m["label"], "bytes": sent, "sha256": digest.hexdigest()})

    async def handle(self, m):
        if "type" in m and "cmd" not in m:
            await self.signal(m)
            return
        cmd = m["cmd"]
        if cmd == "pc":
            await self.new_pc()
        elif cmd == "open_channel":
            self.open_channel(m)
        elif cmd == "offer":
            await self.pc.setLocalDescription(await self.pc.createOffer())
            # aiortc gathers before it answers setLocalDescription, so its
            # candidates are in the description: it cannot trickle.
            d = self.pc.localDescription
            emit({"sdp": d.sdp, "type": d.type})
        elif cmd == "send":
            channel = self.channels[m["label"]]
            channel.send(m["text"] if "text" in m else bytes.fromhex(m["hex"]))
        elif cmd == "send_random":
            await self.send_random(m)
        elif cmd == "digest":
            d = self.digests[m["label"]]
            emit({"ev": "digest", "label": m["label"], "bytes": d[1], "sha256": d[0].hexdigest()})
        elif cmd == "close_channel":
            self.channels[m["label"]].close()
        elif cmd == "close":
            await self.pc.close()
        elif cmd == "quit":
            if self.pc is not None:
                await self.pc.close()
            raise SystemExit(0)
        else:
            emit({"ev": "error", "message": f"unknown command {cmd}"})

    async def signal(self, m):
        if m["type"] in ("offer", "answer"):
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=m["sdp"], type=m["type"]))
            if m["type"] == "offer":
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                d = self.pc.localDescription
                emit({"sdp": d.sdp, "type": d.type})
        elif m["type"] == "candidate":
            # aiortc's own signalling strips the "candidate:" prefix too.
            c = candidate_from_sdp(m["candidate"].split(":", 1)[1])
            c.sdpMid = m.get("id")
            c.sdpMLineIndex = m.get("label")
            await self.pc.addIceCandidate(c)


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    peer = Peer()
    while True:
        line = await reader.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        try:
            await peer.handle(json.loads(line))
        except SystemExit:
            break
        except Exception as e:  # report, keep serving: the suite decides
            emit({"ev": "error", "message": f"{type(e).__name__}: {e}"})
    if peer.pc is not None:
        await peer.pc.close()


if __name__ == "__main__":
    asyncio.run(main())
