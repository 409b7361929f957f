# Regenerates server.log (a real aiohttp WebSocketResponse server logging with the standard
# `logging` module, driven by real aiohttp clients) and server.expected.json (the verdict each
# connection's scenario calls for).
# Usage: /usr/bin/python3 samples/aiohttp/generate.py [outDir] [--name LOGNAME] [--format FMT]
# Clients run one after another: aiohttp's lines name no connection, so the log can only be
# read in order, one connection at a time.
import argparse
import asyncio
import json
import logging
import os

from server import SCENARIOS, run

FORMATS = {
    # A common explicit format, and the bare basicConfig() default.
    "common": "%(asctime)s %(name)s %(levelname)s %(message)s",
    "default": logging.BASIC_FORMAT,
}


def main(out_dir, name, fmt):
    log_file = os.path.join(out_dir, "server.log")
    handler = logging.FileHandler(log_file, mode="w")
    handler.setFormatter(logging.Formatter(FORMATS[fmt]))
    for logger in ("aiohttp.server", "aiohttp.access", "aiohttp.web", "aiohttp.websocket", "chat"):
        logging.getLogger(logger).setLevel(logging.DEBUG)
        logging.getLogger(logger).addHandler(handler)
    asyncio.run(run(list(SCENARIOS) + ["text-normal"]))
    handler.close()

    # Each connection is named by the line where the application logged it open, with the
    # scenario in the query.
    with open(log_file) as f:
        lines = f.read().split("\n")
    expected = []
    for i, line in enumerate(lines):
        if "websocket connection opened" in line:
            scenario = line.split("?scenario=")[1].split(" ")[0]
            route, verdict = SCENARIOS[scenario]
            expected.append(dict(connection=f"{name}:{i + 1}", scenario=scenario, route=route, **verdict))
    with open(os.path.join(out_dir, "server.expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"wrote {log_file} and server.expected.json: {len(expected)} connections")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("out_dir", nargs="?", default=here)
    p.add_argument("--name", default="samples/aiohttp/server.log")
    p.add_argument("--format", choices=sorted(FORMATS), default="common")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    main(a.out_dir, a.name, a.format)
