# Regenerates keepalive/server.log (a real Python `websockets` server pinging its clients, at DEBUG
# in the samples' common format) and keepalive/server.expected.json: a client that goes silent
# after its first message, whose missing pong makes websockets fail the connection with 1011
# "keepalive ping timeout", and one that answers the pings and closes normally.
# Usage: /usr/bin/python3 samples/python-websockets/keepalive.py [outDir] [--name LOGNAME]
import asyncio
import base64
import os
import sys

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from python_sample import arguments, log_to, write_expected  # noqa: E402

SCENARIOS = {
    # The server sent 1011, but nothing failed in it: the peer stopped answering.
    "silent-client": ("/chat", dict(rootCause="abnormal-closure", closeCode=1011, codeAgreement="disagrees", incident=True)),
    "answering-client": ("/chat", dict(rootCause="normal", closeCode=1000, codeAgreement="agrees", incident=False)),
}


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def silent(port):
    """A client that speaks the handshake and one masked text frame, then never reads nor answers a ping."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /chat?scenario=silent-client HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    await reader.readuntil(b"\r\n\r\n")
    mask, payload = os.urandom(4), b"hi"
    writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    await asyncio.sleep(4)
    writer.close()


async def answering(port):
    async with websockets.connect(f"ws://127.0.0.1:{port}/chat?scenario=answering-client") as ws:
        await ws.send("hi")
        await ws.recv()
        await asyncio.sleep(2.5)  # the server's pings come and are answered
        await ws.close(1000, "bye")


async def main(a):
    log = log_to(a.out_dir, a.format, ["websockets.server"])
    async with websockets.serve(echo, "127.0.0.1", 0, ping_interval=1, ping_timeout=1, close_timeout=1) as server:
        port = server.sockets[0].getsockname()[1]
        await silent(port)
        await asyncio.sleep(0.5)
        await answering(port)
        await asyncio.sleep(0.2)
    log.close()
    write_expected(a.out_dir, SCENARIOS, lambda line, n: f"{a.name}:{n}" if " GET /" in line else None)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.argv[1:1] = [] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else [os.path.join(here, "keepalive")]
    asyncio.run(main(arguments(__file__, "samples/python-websockets/keepalive/server.log")))
