# A FastAPI app served by uvicorn (Debian's python3-fastapi 0.92, python3-starlette 0.26,
# python3-uvicorn 0.17.6 on python3-websockets 10.4), logging as uvicorn's default log config
# does. Its routes are the scenarios generate.py drives.
import logging

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
log = logging.getLogger("uvicorn.error")


@app.websocket("/text")
async def text(ws: WebSocket):
    # Echoes text. A binary frame makes Starlette's receive_text() raise KeyError('text'):
    # uvicorn logs "Exception in ASGI application" and drops the connection (the client sees 1006).
    await ws.accept()
    try:
        while True:
            await ws.send_text("echo:" + await ws.receive_text())
    except WebSocketDisconnect:
        pass


@app.websocket("/json")
async def json_route(ws: WebSocket):
    # receive_json(): invalid JSON raises JSONDecodeError, a message without "op" KeyError('op') (a bug).
    await ws.accept()
    try:
        while True:
            data = await ws.receive_json()
            await ws.send_json({"op": data["op"], "ok": True})
    except WebSocketDisconnect:
        pass


@app.websocket("/strict")
async def strict(ws: WebSocket):
    # Text only, checked by the app: a binary frame is answered with 1003, as RFC 6455 asks.
    await ws.accept()
    while True:
        msg = await ws.receive()
        if msg["type"] == "websocket.disconnect":
            return
        if msg.get("bytes") is not None:
            log.warning("binary frames are not accepted on /strict, closing with 1003")
            await ws.close(code=1003, reason="text only")
            return
        await ws.send_text(msg["text"])


@app.websocket("/nocatch")
async def nocatch(ws: WebSocket):
    # Does not catch WebSocketDisconnect: the client's own close ends in a traceback.
    await ws.accept()
    while True:
        await ws.send_text(await ws.receive_text())
