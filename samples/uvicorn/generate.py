# Regenerates server.log (a real uvicorn's output, stderr and stdout as a container runtime
# keeps them, with uvicorn's default log config or, with --format, a --log-config giving its
# loggers the samples' common format or python-json-logger's JSON) and server.expected.json (the
# verdict each connection's scenario calls for), driving app.py with Debian's python3-websockets
# client, one connection at a time: uvicorn's text lines after the handshake name no connection.
# Usage: /usr/bin/python3 samples/uvicorn/generate.py [outDir] [--name NAME] [--debug] [--format uvicorn|common|json]
import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import websockets

here = os.path.dirname(os.path.abspath(__file__))
p = argparse.ArgumentParser()
p.add_argument("out_dir", nargs="?", default=here)
p.add_argument("--name", default="samples/uvicorn/server.log", help="the log's name in the report")
p.add_argument("--debug", action="store_true", help="uvicorn --log-level debug: websockets' frames and close codes too")
p.add_argument("--format", choices=["uvicorn", "common", "json"], default="uvicorn",
               help="uvicorn's default log config, or a --log-config giving its loggers the samples' common format or python-json-logger's JSON")
a = p.parse_args()
out = os.path.abspath(a.out_dir)
os.makedirs(out, exist_ok=True)
LOG_ARGS = ["--log-level", "debug"] if a.debug else []
if a.format != "uvicorn":
    # A dictConfig as users write one (uvicorn reads .json log configs): every uvicorn logger to stderr in one format.
    sys.path.insert(0, os.path.dirname(here))
    from python_sample import COMMON

    formatter = {"format": COMMON} if a.format == "common" else {"()": "pythonjsonlogger.jsonlogger.JsonFormatter", "fmt": COMMON}
    config = {
        "version": 1, "disable_existing_loggers": False, "formatters": {"f": formatter},
        "handlers": {"h": {"class": "logging.StreamHandler", "formatter": "f", "stream": "ext://sys.stderr"}},
        "loggers": {name: {"handlers": ["h"], "level": "INFO", "propagate": False} for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
    config_file = os.path.join(tempfile.mkdtemp(), "log-config.json")
    with open(config_file, "w") as f:
        json.dump(config, f)
    LOG_ARGS += ["--log-config", config_file]

# A close nothing went wrong on: at INFO neither uvicorn nor websockets logs its code, so it can be no more than unknown.
NORMAL = ({"rootCause": "normal", "closeCode": 1000, "codeAgreement": "agrees", "incident": False} if a.debug
          else {"rootCause": "unknown", "closeCode": None, "codeAgreement": "agrees", "incident": True})
# The app's line saying it closes with 1003 names no connection: in a log keyed by connection object (JSON) it is no one's.
STRICT = ({"rootCause": "unknown", "closeCode": None, "codeAgreement": "agrees", "incident": True} if a.format == "json"
          else {"rootCause": "data-type-mismatch", "closeCode": 1003, "codeAgreement": "agrees", "incident": True})
# (name, route, frames: (binary, payload), then: "close" (the client closes 1000) or "wait", expected verdict)
SCENARIOS = [
    ("text-normal", "/text", [(False, "hello")], "close", NORMAL),
    ("binary-to-text", "/text", [(False, "hi"), (True, b"\x00\x9f\x92\x96")], "wait",
     {"rootCause": "data-type-mismatch", "closeCode": 1006, "codeAgreement": "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("json-normal", "/json", [(False, '{"op":"join"}')], "close", NORMAL),
    ("bad-json", "/json", [(False, '{"op":')], "wait",
     {"rootCause": "invalid-payload", "closeCode": 1006, "codeAgreement": "disagrees", "incident": True, "exceptionType": "json.decoder.JSONDecodeError"}),
    ("binary-to-json", "/json", [(True, b"\x00\x9f\x92\x96")], "wait",
     {"rootCause": "data-type-mismatch", "closeCode": 1006, "codeAgreement": "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("json-bug", "/json", [(False, '{"op":"join"}'), (False, '{"user":"x"}')], "wait",
     {"rootCause": "unhandled-error", "closeCode": 1006, "codeAgreement": "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("binary-to-strict", "/strict", [(False, "hi"), (True, b"\x01\x02")], "wait", STRICT),
    ("nocatch-client-close", "/nocatch", [(False, "hi")], "close", {"rootCause": "normal", "closeCode": 1000, "codeAgreement": "agrees", "incident": False}),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run(port, route, frames, then):
    async with websockets.connect(f"ws://127.0.0.1:{port}{route}") as ws:
        for binary, payload in frames:
            await ws.send(payload)
            try:
                await asyncio.wait_for(ws.recv(), 1)
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                break
        if then == "close":
            await ws.close(1000)
        else:
            try:
                await asyncio.wait_for(ws.wait_closed(), 3)
            except asyncio.TimeoutError:
                pass
        return ws.close_code


def main():
    port = free_port()
    log = open(os.path.join(out, "server.log"), "w")
    # Both streams into one file, as `kubectl logs` shows a container's: uvicorn's access log goes to stdout.
    srv = subprocess.Popen([sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), *LOG_ARGS],
                           cwd=here, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        expected = []
        for name, route, frames, then, verdict in SCENARIOS:
            lines_before = sum(1 for _ in open(os.path.join(out, "server.log")))
            peer = asyncio.run(run(port, route, frames, then))
            time.sleep(0.2)
            # A keyless log names each connection by the line that opened it: uvicorn's "[accepted]"
            # line, or at DEBUG websockets' request line before it.
            with open(os.path.join(out, "server.log")) as f:
                lines = f.read().split("\n")
            # (Its quotes escaped in a JSON record.)
            opening = re.compile(rf"< GET {route} HTTP/1\.1" if a.debug else rf'WebSocket {route}\\?" \[accepted\]')
            opened = next(i + 1 for i in range(lines_before, len(lines)) if opening.search(lines[i]))
            # JSON records carry websockets' connection object: its address names the connection.
            named = re.search(r" object at (0x[0-9a-f]+)>", lines[opened - 1]) if a.format == "json" else None
            expected.append({"connection": named.group(1) if named else f"{a.name}:{opened}",
                             "scenario": name, "route": route, **verdict, "peerSaw": peer})
    finally:
        srv.terminate()
        srv.wait()
        log.close()
    with open(os.path.join(out, "server.expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


main()
