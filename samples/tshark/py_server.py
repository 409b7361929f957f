# A Python websockets server (Debian's python3-websockets 10.4, legacy asyncio API) for the
# tshark capture sample.
# Prints its port on stdout, serves until stdin closes. Each route is one behaviour the
# capture must show on the wire:
#   /py/text    text only: a binary frame is answered 1003
#   /py/json    parses every message as JSON without checking the type: binary -> 1011
#   /py/buggy   reads msg["user"]["id"]: a message without a user -> KeyError -> 1011
#   /py/cut     aborts the TCP connection on the second message: no close frame (1006)
# Usage: /usr/bin/python3 py_server.py
import asyncio
import itertools
import json
import sys

import websockets

ids = itertools.count(1)


async def handler(ws, path=None):
    path = ws.path.split("?")[0]
    await ws.send(json.dumps({"connId": f"py{next(ids)}"}))
    seen = 0
    async for msg in ws:
        seen += 1
        if path == "/py/text":
            if isinstance(msg, bytes):
                await ws.close(1003, "text frames only")
                return
            await ws.send("echo:" + msg)
        elif path == "/py/json":
            data = json.loads(msg)  # binary input raises here; websockets answers 1011
            await ws.send(json.dumps({"ok": True, "op": data.get("op")}))
        elif path == "/py/buggy":
            data = json.loads(msg)
            await ws.send(json.dumps({"user": data["user"]["id"]}))
        elif path == "/py/cut":
            if seen >= 2:
                ws.transport.abort()  # the process-level cut: no close frame, the peer sees 1006
                return
            await ws.send("ok")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main())
