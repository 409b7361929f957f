# Regenerates server.log (a real Python `websockets` server logging with the standard `logging`
# module at DEBUG, driven by real `websockets` clients) and server.expected.json (the verdict
# each connection's scenario calls for).
# Usage: /usr/bin/python3 samples/python-websockets/generate.py [outDir] [--name LOGNAME] [--format common|default|json|structlog] [--ids]
# v14.2/ and v17.0.1/ were written by the same script on those releases (the new asyncio server),
# each run from a copy of the release's src/websockets (git tag) put on PYTHONPATH:
#   PYTHONPATH=/tmp/wsrel-14.2/site-packages /usr/bin/python3 generate.py samples/python-websockets/v14.2 \
#     --name samples/python-websockets/v14.2/server.log
# Without --ids, clients run one after another: the default logging format names no connection,
# so the log can only be read in order, one connection at a time. With --format json or structlog
# they run at once: python-json-logger and structlog write each record's `websocket` extra, the
# connection object's repr.
import asyncio
import logging
import os
import re
import sys

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from python_sample import arguments, log_to, write_expected  # noqa: E402
from server import SCENARIOS, ConnectionIdAdapter, client, handler  # noqa: E402

UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
OBJECT = re.compile(r'"websocket": "<[\w.]+ object at (0x[0-9a-f]+)>"')


async def main(a):
    log = log_to(a.out_dir, a.format, ["websockets.server", "chat"])
    # --ids: websockets' documented LoggerAdapter recipe names each connection, so the clients
    # can run all at once and their lines interleave.
    logger = ConnectionIdAdapter(logging.getLogger("websockets.server")) if a.ids else None
    keyed = a.ids or a.format in ("json", "structlog")
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=1024, logger=logger) as server:
        port = server.sockets[0].getsockname()[1]
        order = list(SCENARIOS) + ["text-normal"]
        if keyed:
            await asyncio.gather(*(client(port, scenario) for scenario in order))
        for scenario in [] if keyed else order:
            await client(port, scenario)
            await asyncio.sleep(0.05)  # let the server finish logging this connection
        await asyncio.sleep(0.1)
    log.close()
    # A connection is named by its id, or its object's address, or else by the line of its request
    # (the scenario is in the query).
    write_expected(a.out_dir, SCENARIOS, lambda line, n: (
        None if " GET /" not in line else UUID.search(line)[0] if a.ids else OBJECT.search(line)[1] if keyed else f"{a.name}:{n}"))


if __name__ == "__main__":
    asyncio.run(main(arguments(__file__, "samples/python-websockets/server.log",
                               ("--ids", "name connections with the LoggerAdapter recipe; run clients at once"))))
