# Regenerates server.log (a real Python `websockets` server logging with the standard `logging`
# module at DEBUG, driven by real `websockets` clients) and server.expected.json (the verdict
# each connection's scenario calls for).
# Usage: /usr/bin/python3 samples/python-websockets/generate.py [outDir] [--name LOGNAME] [--format FMT] [--ids]
# v14.2/ and v17.0.1/ were written by the same script on those releases (the new asyncio server),
# each run from a copy of the release's src/websockets (git tag) put on PYTHONPATH:
#   PYTHONPATH=/tmp/wsrel-14.2/site-packages /usr/bin/python3 generate.py samples/python-websockets/v14.2 \
#     --name samples/python-websockets/v14.2/server.log
# Clients run one after another: the default logging format names no connection, so the
# log can only be read in order, one connection at a time.
import argparse
import asyncio
import json
import logging
import os
import re

import websockets

from server import FORMATS, SCENARIOS, ConnectionIdAdapter, client, handler


async def main(out_dir, name, fmt, ids):
    log_file = os.path.join(out_dir, "server.log")
    handler_ = logging.FileHandler(log_file, mode="w")
    handler_.setFormatter(logging.Formatter(FORMATS[fmt]))
    for logger in ("websockets.server", "chat"):
        logging.getLogger(logger).setLevel(logging.DEBUG)
        logging.getLogger(logger).addHandler(handler_)
    # --ids: websockets' documented LoggerAdapter recipe names each connection, so the clients
    # can run all at once and their lines interleave.
    logger = ConnectionIdAdapter(logging.getLogger("websockets.server")) if ids else None
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=1024, logger=logger) as server:
        port = server.sockets[0].getsockname()[1]
        order = list(SCENARIOS) + ["text-normal"]
        if ids:
            await asyncio.gather(*(client(port, scenario) for scenario in order))
        for scenario in [] if ids else order:
            await client(port, scenario)
            await asyncio.sleep(0.05)  # let the server finish logging this connection
        await asyncio.sleep(0.1)
    handler_.close()

    # Each connection is named by the line of its request, where the scenario is in the query.
    with open(log_file) as f:
        lines = f.read().split("\n")
    expected = []
    for i, line in enumerate(lines):
        if " GET /" in line and "?scenario=" in line:
            scenario = line.split("?scenario=")[1].split(" ")[0]
            route, verdict = SCENARIOS[scenario]
            conn = re.search(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", line)[0] if ids else f"{name}:{i + 1}"
            expected.append(dict(connection=conn, scenario=scenario, route=route, **verdict))
    with open(os.path.join(out_dir, "server.expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"wrote {log_file} and server.expected.json: {len(expected)} connections")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("out_dir", nargs="?", default=here)
    p.add_argument("--name", default="samples/python-websockets/server.log")
    p.add_argument("--format", choices=sorted(FORMATS), default="common")
    p.add_argument("--ids", action="store_true", help="name connections with the LoggerAdapter recipe; run clients at once")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    asyncio.run(main(a.out_dir, a.name, a.format, a.ids))
