"""A stand-in for aiortc's examples/datachannel-cli/cli.py (which is in
aiortc's repository, not its wheel), written for these tests to behave the
same way: channel "chat"; the offerer sends "ping <microseconds>" every
second and prints the round trip of each "pong"; the answerer replies
"pong <same>" to every "ping"; a BYE on the signalling ends the program.
Output lines are those of the example: "channel(chat) < message",
"channel(chat) > message", " RTT x.xx ms", "Exiting".

One addition, for the tests only: the answering side retries its first
connection while the offerer is not listening yet (aiortc's
TcpSocketSignaling gives up at once), so the two may start in any order.

usage: datachannel_cli.py {offer,answer} [--signaling tcp-socket
       --signaling-host H --signaling-port P]
"""

import argparse
import asyncio
import sys
import time

from aiortc import RTCIceCandidate, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.signaling import BYE, add_signaling_arguments, create_signaling

START = time.monotonic()


def stamp():
    return int((time.monotonic() - START) * 1_000_000)


def log(channel, direction, message):
    print(f"channel({channel.label}) {direction} {message}", flush=True)


def send(channel, message):
    log(channel, ">", message)
    channel.send(message)


async def receive(signaling, first):
    if not first:
        return await signaling.receive()
    for _ in range(200):
        try:
            return await signaling.receive()
        except (ConnectionRefusedError, FileNotFoundError):
            await asyncio.sleep(0.05)
    return await signaling.receive()


async def consume(pc, signaling, answering):
    first = answering
    while True:
        obj = await receive(signaling, first)
        first = False
        if isinstance(obj, RTCSessionDescription):
            await pc.setRemoteDescription(obj)
            if obj.type == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await signaling.send(pc.localDescription)
        elif isinstance(obj, RTCIceCandidate):
            await pc.addIceCandidate(obj)
        elif obj is BYE or obj is None:
            print("Exiting", flush=True)
            return


async def answer(pc, signaling):
    @pc.on("datachannel")
    def on_datachannel(channel):
        log(channel, "-", "created by remote party")

        @channel.on("message")
        def on_message(message):
            log(channel, "<", message)
            if isinstance(message, str) and message.startswith("ping"):
                send(channel, "pong" + message[4:])

    await consume(pc, signaling, True)


async def offer(pc, signaling):
    channel = pc.createDataChannel("chat")
    log(channel, "-", "created by local party")

    async def pings():
        while True:
            send(channel, f"ping {stamp()}")
            await asyncio.sleep(1)

    @channel.on("open")
    def on_open():
        asyncio.ensure_future(pings())

    @channel.on("message")
    def on_message(message):
        log(channel, "<", message)
        if isinstance(message, str) and message.startswith("pong"):
            print(f" RTT {(stamp() - int(message[5:])) / 1000:.2f} ms", flush=True)

    await pc.setLocalDescription(await pc.createOffer())
    await signaling.send(pc.localDescription)
    await consume(pc, signaling, False)


async def main():
    parser = argparse.ArgumentParser(description="datachannel-cli stand-in")
    parser.add_argument("role", choices=["offer", "answer"])
    add_signaling_arguments(parser)
    args = parser.parse_args()
    signaling = create_signaling(args)
    pc = RTCPeerConnection()
    try:
        await signaling.connect()
        await (offer if args.role == "offer" else answer)(pc, signaling)
    finally:
        await pc.close()
        await signaling.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
