# A real aiohttp WebSocketResponse server (Debian's python3-aiohttp 3.8 under /usr/bin/python3)
# and the aiohttp clients that drive every scenario against it. The handler logs the way
# aiohttp's own documentation example does. Each scenario states the verdict a correct analyzer
# must reach. generate.py runs them and writes the committed sample.
import asyncio
import json
import logging

import aiohttp
from aiohttp import WSCloseCode, WSMsgType, web
from python_sample import MESSAGES

log = logging.getLogger("chat")


async def handler(request):
    ws = web.WebSocketResponse(max_msg_size=1024)
    await ws.prepare(request)
    log.info("websocket connection opened %s from %s", request.path_qs, request.remote)
    async for msg in ws:
        if msg.type == WSMsgType.ERROR:
            log.warning("ws connection closed with exception %s", ws.exception())
            continue
        log.debug("received %r message (%d bytes)", msg.type, len(msg.data))
        if request.path == "/text":
            # Text only: a binary frame is answered with 1003, as RFC 6455 asks. (ws.close_code
            # will then say what the client answered, 1000 from aiohttp's client, not 1003.)
            if msg.type == WSMsgType.BINARY:
                log.warning("binary message on %s, closing with 1003", request.path)
                await ws.close(code=WSCloseCode.UNSUPPORTED_DATA, message=b"text frames only")
            else:
                await ws.send_str("echo:" + msg.data)
        elif request.path == "/json":
            # Parses every message without checking its type: bytes make json.loads raise, and
            # aiohttp drops the connection without a close frame.
            data = json.loads(msg.data)
            # A bug: "crash" messages carry no user.
            user = data["user"] if data["op"] == "crash" else "anonymous"
            await ws.send_str(json.dumps({"ok": True, "op": data["op"], "user": user}))
    log.info("websocket connection closed with code %s", ws.close_code)
    return ws


SCENARIOS = {
    "text-normal": ("/text", dict(rootCause="normal", closeCode=1000, codeAgreement="agrees", incident=False)),
    "binary-to-text": ("/text", dict(rootCause="data-type-mismatch", closeCode=1003, codeAgreement="agrees", incident=True)),
    "json-normal": ("/json", dict(rootCause="normal", closeCode=1000, codeAgreement="agrees", incident=False)),
    "binary-to-json": ("/json", dict(rootCause="data-type-mismatch", closeCode=1006, codeAgreement="disagrees", incident=True,
                                     exceptionType="UnicodeDecodeError", topFrame="server\\.py")),
    "handler-bug": ("/json", dict(rootCause="unhandled-error", closeCode=1006, codeAgreement="disagrees", incident=True,
                                     exceptionType="KeyError", topFrame="server\\.py")),
    "too-big": ("/text", dict(rootCause="message-too-big", closeCode=1009, reportedCode=1006, codeAgreement="agrees", incident=True)),
}


async def client(session, port, name):
    route = SCENARIOS[name][0]
    async with session.ws_connect(f"http://127.0.0.1:{port}{route}?scenario={name}") as ws:
        message = MESSAGES[name]
        await (ws.send_bytes(message) if isinstance(message, bytes) else ws.send_str(message))
        await ws.receive()
        if name.endswith("-normal"):
            await ws.close(code=WSCloseCode.OK, message=b"bye")


async def run(order):
    """Starts the server, runs the scenarios one after another, stops the server."""
    app = web.Application()
    app.router.add_get("/text", handler)
    app.router.add_get("/json", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    async with aiohttp.ClientSession() as session:
        for name in order:
            await client(session, port, name)
            await asyncio.sleep(0.05)  # let the server finish logging this connection
    await runner.cleanup()
