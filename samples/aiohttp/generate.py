# Regenerates server.log (a real aiohttp WebSocketResponse server logging with the standard
# `logging` module, driven by real aiohttp clients) and server.expected.json (the verdict each
# connection's scenario calls for).
# Usage: /usr/bin/python3 samples/aiohttp/generate.py [outDir] [--name LOGNAME] [--format common|default|json|structlog]
# Clients run one after another: aiohttp's lines name no connection, so the log can only be
# read in order, one connection at a time.
import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from python_sample import arguments, log_to, write_expected  # noqa: E402
from server import SCENARIOS, run  # noqa: E402

if __name__ == "__main__":
    a = arguments(__file__, "samples/aiohttp/server.log")
    log = log_to(a.out_dir, a.format, ["aiohttp.server", "aiohttp.access", "aiohttp.web", "aiohttp.websocket", "chat"])
    asyncio.run(run(list(SCENARIOS) + ["text-normal"]))
    log.close()
    # A connection is named by the line where the application logged it open, with the scenario in the query.
    write_expected(a.out_dir, SCENARIOS, lambda line, n: f"{a.name}:{n}" if "websocket connection opened" in line else None)
