# Regenerates server.log (a real ASGI server's output serving app.py, stderr and stdout as a
# container runtime keeps them) and server.expected.json (the verdict each connection's scenario
# calls for), driving app.py with Debian's python3-websockets client, one connection at a time:
# - uvicorn (Debian's 0.17.6) with its default log config, or with --format a --log-config giving
#   its loggers the samples' common format or python-json-logger's JSON; its text lines after the
#   handshake name no connection;
# - daphne (Debian's 4.0.0, Django Channels' server) with its default logging and access log,
#   whose lines name the client's address.
# Usage: /usr/bin/python3 samples/asgi/generate.py [--server uvicorn|daphne] [--debug] [--format uvicorn|common|json] [outDir] [--name NAME]
# (outDir defaults to samples/asgi/<server>[-debug][-<format>], NAME to its server.log as the repository names it.)
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
p.add_argument("out_dir", nargs="?")
p.add_argument("--name", help="the log's name in the report")
p.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
p.add_argument("--debug", action="store_true", help="uvicorn --log-level debug: websockets' frames and close codes too")
p.add_argument("--format", choices=["uvicorn", "common", "json"], default="uvicorn",
               help="uvicorn's default log config, or a --log-config giving its loggers the samples' common format or python-json-logger's JSON")
a = p.parse_args()
variant = a.server + ("-debug" if a.debug else "") + ("" if a.format == "uvicorn" else f"-{a.format}")
out = os.path.abspath(a.out_dir or os.path.join(here, variant))
name = a.name or f"samples/asgi/{variant}/server.log"
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

DAPHNE = a.server == "daphne"
UNKNOWN = {"rootCause": "unknown", "closeCode": None, "codeAgreement": "agrees", "incident": True}
# A close nothing went wrong on: at INFO no line says its code, so it can be no more than unknown.
NORMAL = {"rootCause": "normal", "closeCode": 1000, "codeAgreement": "agrees", "incident": False} if a.debug else UNKNOWN
# What the client sees after the app raised: uvicorn drops the connection (1006), daphne sends 1011.
FAILED = 1011 if DAPHNE else 1006
# The app closing with 1003: daphne's autobahn refuses an application's 1003 ("invalid close code 1003 (must be 1000 or
# from [3000, 4999])"), which raises, and daphne sends 1011; in uvicorn's JSON the app's line saying it names no connection.
STRICT = ({"rootCause": "unhandled-error", "closeCode": 1011, "codeAgreement": "agrees", "incident": True, "exceptionType": "Exception"} if DAPHNE
          else UNKNOWN if a.format == "json"
          else {"rootCause": "data-type-mismatch", "closeCode": 1003, "codeAgreement": "agrees", "incident": True})
# The client's close reaching an app that does not catch it: uvicorn logs it at once; daphne up to a second later, after its disconnect.
NOCATCH = UNKNOWN if DAPHNE else {"rootCause": "normal", "closeCode": 1000, "codeAgreement": "agrees", "incident": False}
# (name, route, frames: (binary, payload), then: "close" (the client closes 1000) or "wait", expected verdict)
SCENARIOS = [
    ("text-normal", "/text", [(False, "hello")], "close", NORMAL),
    ("binary-to-text", "/text", [(False, "hi"), (True, b"\x00\x9f\x92\x96")], "wait",
     {"rootCause": "data-type-mismatch", "closeCode": FAILED, "codeAgreement": "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("json-normal", "/json", [(False, '{"op":"join"}')], "close", NORMAL),
    ("bad-json", "/json", [(False, '{"op":')], "wait",
     {"rootCause": "invalid-payload", "closeCode": FAILED, "codeAgreement": "disagrees", "incident": True, "exceptionType": "json.decoder.JSONDecodeError"}),
    ("binary-to-json", "/json", [(True, b"\x00\x9f\x92\x96")], "wait",
     {"rootCause": "data-type-mismatch", "closeCode": FAILED, "codeAgreement": "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("json-bug", "/json", [(False, '{"op":"join"}'), (False, '{"user":"x"}')], "wait",
     {"rootCause": "unhandled-error", "closeCode": FAILED, "codeAgreement": "agrees" if DAPHNE else "disagrees", "incident": True, "exceptionType": "KeyError"}),
    ("binary-to-strict", "/strict", [(False, "hi"), (True, b"\x01\x02")], "wait", STRICT),
    ("nocatch-client-close", "/nocatch", [(False, "hi")], "close", NOCATCH),
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
    # Both streams into one file, as `kubectl logs` shows a container's: the access logs go to stdout.
    command = (["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "app:app"] if DAPHNE
               else ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), *LOG_ARGS])
    srv = subprocess.Popen([sys.executable, *command],
                           cwd=here, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        expected = []
        for scenario, route, frames, then, verdict in SCENARIOS:
            lines_before = sum(1 for _ in open(os.path.join(out, "server.log")))
            peer = asyncio.run(run(port, route, frames, then))
            # daphne looks for the app's exceptions once a second: its lines of one connection, then the next's.
            time.sleep(1.2 if DAPHNE else 0.2)
            # A keyless log names each connection by the line that opened it: uvicorn's "[accepted]"
            # line (its quotes escaped in a JSON record), or at DEBUG websockets' request line before
            # it; daphne's access log names the client's address, which names the connection.
            with open(os.path.join(out, "server.log")) as f:
                lines = f.read().split("\n")
            opening = re.compile(rf'^(\S+) - - \[[^]]+\] "WSCONNECTING {route}"' if DAPHNE
                                 else rf"< GET {route} HTTP/1\.1" if a.debug else rf'WebSocket {route}\\?" \[accepted\]')
            opened = next(i + 1 for i in range(lines_before, len(lines)) if opening.search(lines[i]))
            # JSON records carry websockets' connection object: its address names the connection.
            named = (opening.search(lines[opened - 1]) if DAPHNE
                     else re.search(r" object at (0x[0-9a-f]+)>", lines[opened - 1]) if a.format == "json" else None)
            expected.append({"connection": named.group(1) if named else f"{name}:{opened}",
                             "scenario": scenario, "route": route, **verdict, "peerSaw": peer})
    finally:
        srv.terminate()
        srv.wait()
        log.close()
    with open(os.path.join(out, "server.expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


main()
