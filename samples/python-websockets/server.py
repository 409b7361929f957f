# A real Python `websockets` server (Debian's 10.4 under /usr/bin/python3; also runs on 14.x-17.x,
# e.g. with PYTHONPATH at a release's src/) and the clients that
# drive every scenario against it. Each scenario states the verdict a correct analyzer must reach.
# generate.py runs them and writes the committed sample.
import asyncio
import json
import logging

import websockets
from python_sample import MESSAGES

log = logging.getLogger("chat")


class ConnectionIdAdapter(logging.LoggerAdapter):
    """The LoggerAdapter recipe of websockets' logging guide: prefix each line with the connection id."""

    def process(self, msg, kwargs):
        try:
            websocket = kwargs["extra"]["websocket"]
        except KeyError:
            return msg, kwargs
        # Before the request is read there are no headers yet (legacy: request_headers, new: request).
        request = getattr(websocket, "request", None)
        headers = request.headers if request is not None else getattr(websocket, "request_headers", {})
        return f"{websocket.id} {headers.get('X-Forwarded-For')} {msg}", kwargs


async def handler(ws):
    # `ws.path` in the legacy server (10.x), `ws.request.path` in the new one (>= 13).
    path = (ws.request.path if hasattr(ws, "request") else ws.path).split("?")[0]
    async for message in ws:
        if path == "/text":
            # Text only: a binary frame is answered with 1003, as RFC 6455 asks.
            if isinstance(message, bytes):
                log.warning("binary frame on %s, closing", path)
                await ws.close(1003, "text frames only")
                return
            await ws.send("echo:" + message)
        elif path == "/json":
            # Parses every message without checking its type: bytes make json.loads raise,
            # and websockets answers the handler's exception with 1011 itself.
            msg = json.loads(message)
            # A bug: "crash" messages carry no user.
            user = msg["user"] if msg["op"] == "crash" else "anonymous"
            await ws.send(json.dumps({"ok": True, "op": msg["op"], "user": user}))


SCENARIOS = {
    "text-normal": ("/text", dict(rootCause="normal", closeCode=1000, codeAgreement="agrees", incident=False)),
    "binary-to-text": ("/text", dict(rootCause="data-type-mismatch", closeCode=1003, codeAgreement="agrees", incident=True)),
    "json-normal": ("/json", dict(rootCause="normal", closeCode=1000, codeAgreement="agrees", incident=False)),
    "binary-to-json": ("/json", dict(rootCause="data-type-mismatch", closeCode=1011, codeAgreement="disagrees", incident=True,
                                     exceptionType="UnicodeDecodeError", topFrame="server\\.py")),
    "handler-bug": ("/json", dict(rootCause="unhandled-error", closeCode=1011, codeAgreement="agrees", incident=True,
                                  exceptionType="KeyError", topFrame="server\\.py")),
    "too-big": ("/text", dict(rootCause="message-too-big", closeCode=1009, codeAgreement="agrees", incident=True)),
    "dropped": ("/text", dict(rootCause="abnormal-closure", closeCode=1006, codeAgreement="agrees", incident=True)),
}


async def client(port, name):
    route = SCENARIOS[name][0]
    async with websockets.connect(f"ws://127.0.0.1:{port}{route}?scenario={name}") as ws:
        try:
            await ws.send(MESSAGES[name])
            await ws.recv()
            if name.endswith("-normal"):
                await ws.close(1000, "bye")
            elif name == "dropped":
                ws.transport.abort()
                await asyncio.sleep(0.1)
        except websockets.ConnectionClosed:
            pass


