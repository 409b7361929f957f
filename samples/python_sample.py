# Shared by the Python samples' generate.py scripts (run with /usr/bin/python3): the command line,
# the logging set-up, and the expected verdicts, each connection named by the log line that
# carries its scenario.
import argparse
import json
import logging
import os

COMMON = "%(asctime)s %(name)s %(levelname)s %(message)s"


def json_formatter():
    # python-json-logger (Debian's python3-pythonjsonlogger), its fields named as COMMON names them:
    # a JSON object a line, the traceback in `exc_info`.
    from pythonjsonlogger import jsonlogger

    return jsonlogger.JsonFormatter(COMMON)


def structlog_formatter():
    # structlog's stdlib recipe (Debian's python3-structlog): every library's records rendered as
    # JSON by its ProcessorFormatter, with their level, logger name, extras, an ISO time and the
    # traceback's text in `exception`.
    import structlog

    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso"),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


FORMATS = {
    # A common explicit format, the bare basicConfig() default, the common fields as JSON, and structlog's JSON.
    "common": lambda: logging.Formatter(COMMON),
    "default": lambda: logging.Formatter(logging.BASIC_FORMAT),
    "json": json_formatter,
    "structlog": structlog_formatter,
}


def arguments(script, default_name, *extra):
    """outDir (default: the script's folder), --name (the log's name in the report), --format, and extra flags."""
    p = argparse.ArgumentParser()
    p.add_argument("out_dir", nargs="?", default=os.path.dirname(os.path.abspath(script)))
    p.add_argument("--name", default=default_name)
    p.add_argument("--format", choices=sorted(FORMATS), default="common")
    for flag, help_text in extra:
        p.add_argument(flag, action="store_true", help=help_text)
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    return a


def log_to(out_dir, fmt, loggers):
    """Sends these loggers, at DEBUG, to out_dir/server.log; returns the handler to close."""
    handler = logging.FileHandler(os.path.join(out_dir, "server.log"), mode="w")
    handler.setFormatter(FORMATS[fmt]())
    for name in loggers:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(handler)
    return handler


def write_expected(out_dir, scenarios, connection):
    """server.expected.json: one entry per log line that names a scenario (`?scenario=`) and for which
    connection(line, line_no) gives the connection's name."""
    log_file = os.path.join(out_dir, "server.log")
    with open(log_file) as f:
        lines = f.read().split("\n")
    expected = []
    for i, line in enumerate(lines):
        conn = connection(line, i + 1) if "?scenario=" in line else None
        if conn:
            scenario = line.split("?scenario=")[1].split(" ")[0]
            route, verdict = scenarios[scenario]
            expected.append(dict(connection=conn, scenario=scenario, route=route, **verdict))
    with open(os.path.join(out_dir, "server.expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"wrote {log_file} and server.expected.json: {len(expected)} connections")


# What each scenario's client sends first (the servers' routes decide what follows).
MESSAGES = {
    "text-normal": "hello",
    "json-normal": '{"op": "ping"}',
    "binary-to-text": b"\x01\x02\x03",
    "binary-to-json": b"\x89PNG\r\n\x1a\n",
    "handler-bug": '{"op": "crash"}',
    "too-big": "x" * 2000,
    "dropped": "hi",
}
