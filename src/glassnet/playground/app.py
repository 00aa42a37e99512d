"""The playground's ASGI app (Starlette): the page, one WebSocket per tab, upload and download.

Requests come only from the page itself: the ``Host`` must be one the server was started
for (against DNS rebinding) and the WebSocket's and the upload's ``Origin`` must be the
page's own (against cross-site WebSocket hijacking). No handler trains: each session's
worker thread does (:mod:`glassnet.playground.session`). The routes are in
:func:`create_app` and ``docs/playground.md``.
"""

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from glassnet.errors import GlassnetError
from glassnet.playground import export
from glassnet.playground.outbox import Outbox
from glassnet.playground.schema import MessageError, hello_message, parse_message
from glassnet.playground.session import Session, error_message
from glassnet.playground.upload import read_upload

STATIC = Path(__file__).parent / "static"
MAX_SESSIONS = 8
MAX_UPLOAD_BYTES = 10 * 2**20
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
TRY_AGAIN_LATER = 1013  # the WebSocket close code for "the server is full"
POLICY_VIOLATION = 1008
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


class Playground:
    """The sessions of one server, its upload folder and its rules (cap, hosts, preload)."""

    def __init__(self, hosts: Sequence[str], max_sessions: int, preload: Path | None) -> None:
        self.hosts = {host.lower() for host in hosts}
        self.max_sessions = max_sessions
        self.preload = preload
        self.sessions: dict[str, Session] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="glassnet-playground-"))

    def host_ok(self, headers: Any) -> bool:
        """Whether the Host header names this server (its port aside)."""
        host = headers.get("host", "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in self.hosts or "*" in self.hosts  # "*": --host 0.0.0.0 asked for any

    def origin_ok(self, headers: Any, scheme: str) -> bool:
        """Whether the Origin is the page's own: ``scheme://host`` of this very request."""
        expected = (
            f"{'https' if scheme in ('https', 'wss') else 'http'}://{headers.get('host', '')}"
        )
        return self.host_ok(headers) and headers.get("origin", "").lower() == expected.lower()

    def session(self, request: Request) -> Session | None:
        """The session named by ``?session=``, if it is alive."""
        return self.sessions.get(request.query_params.get("session", ""))

    def close(self) -> None:
        """End every session and remove the upload folder."""
        for session in list(self.sessions.values()):
            session.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def create_app(
    hosts: Sequence[str] = LOCAL_HOSTS,
    max_sessions: int = MAX_SESSIONS,
    preload: str | os.PathLike[str] | None = None,
) -> Starlette:
    """The playground's Starlette app.

    Parameters
    ----------
    hosts
        The host names the page may be reached by (a request naming another is refused).
    max_sessions
        Tabs served at once; the next one is refused with a message.
    preload
        A CSV every new tab starts with (``glassnet playground --data``), read as an upload.
    """
    playground = Playground(hosts, max_sessions, Path(preload) if preload else None)

    async def page(request: Request) -> Response:
        if not playground.host_ok(request.headers):
            return JSONResponse({"error": "unknown host"}, status_code=400)
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    async def websocket(ws: WebSocket) -> None:
        if not playground.origin_ok(ws.headers, ws.url.scheme):
            await ws.close(code=POLICY_VIOLATION)  # before accept: the handshake gets a 403
            return
        await ws.accept()
        if len(playground.sessions) >= playground.max_sessions:
            cap = playground.max_sessions
            text = f"the playground serves {cap} tabs at once: close one and reload"
            await ws.send_text(error_message(text, "close another playground tab"))
            await ws.close(code=TRY_AGAIN_LATER, reason="too many sessions")
            return
        name = secrets.token_urlsafe(16)
        outbox = Outbox(asyncio.get_running_loop())
        session = Session(outbox, playground.folder / f"{name}.csv")
        playground.sessions[name] = session
        try:
            await ws.send_text(json.dumps(hello_message(name)))
            if playground.preload is not None:
                await _preload(playground.preload, session, ws)
            await _serve(ws, session, outbox)
        finally:
            playground.sessions.pop(name, None)
            await run_in_threadpool(session.close)
            session.upload.unlink(missing_ok=True)

    async def upload(request: Request) -> Response:
        if not playground.origin_ok(request.headers, request.url.scheme):
            return JSONResponse({"error": "this page's own origin only"}, status_code=403)
        session = playground.session(request)
        if session is None:
            return JSONResponse({"error": "no such session: reload the page"}, status_code=404)
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_UPLOAD_BYTES:
            return _too_large()
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD_BYTES:
                return _too_large()
        try:
            summary = await run_in_threadpool(read_upload, bytes(body), session.upload)
        except GlassnetError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(summary)

    async def model_file(request: Request) -> Response:
        return await _download(playground, request, export.model_bytes, "playground-model.npz")

    async def data_file(request: Request) -> Response:
        return await _download(playground, request, export.data_csv, "playground-data.csv")

    async def setup_text(request: Request) -> Response:
        session = playground.session(request)
        if session is None or not playground.host_ok(request.headers):
            return JSONResponse({"error": "no such session: reload the page"}, status_code=404)
        try:
            snapshot = await asyncio.wrap_future(session.snapshot())
        except RuntimeError as error:
            return JSONResponse({"error": str(error)}, status_code=409)
        return JSONResponse(export.setup_texts(snapshot))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(playground.close)  # the server stops: every session ends

    app = Starlette(
        routes=[
            Route("/", page),
            WebSocketRoute("/ws", websocket),
            Route("/upload", upload, methods=["POST"]),
            Route("/model.npz", model_file),
            Route("/data.csv", data_file),
            Route("/export", setup_text),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.playground = playground
    return app


async def _preload(path: Path, session: Session, ws: WebSocket) -> None:
    """``--data``: the file read as this tab's upload; the page gets its columns."""
    try:
        summary = await run_in_threadpool(read_upload, path.read_bytes(), session.upload)
    except (GlassnetError, OSError) as error:
        await ws.send_text(error_message(f"--data {path.name}: {error}"))
        return
    await ws.send_text(json.dumps({"type": "upload", **summary}))


async def _serve(ws: WebSocket, session: Session, outbox: Outbox) -> None:
    """Read the tab's messages until it closes; a sender task writes the outbox meanwhile."""
    sender = asyncio.create_task(_send(ws, outbox))
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                text = message.get("text")
                command = parse_message(text if text is not None else message.get("bytes") or b"")
            except MessageError as error:
                outbox.reply(error_message(str(error)))
                continue
            if command.type == "ack":
                outbox.acknowledge()
            elif not session.submit(command):
                outbox.reply(
                    error_message("too many commands at once: wait for the last to finish")
                )
    except WebSocketDisconnect:
        return
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender


async def _send(ws: WebSocket, outbox: Outbox) -> None:
    while True:
        await outbox.wake.wait()
        for message in outbox.take():
            if isinstance(message, bytes):
                await ws.send_bytes(message)
            else:
                await ws.send_text(message)


async def _download(playground: Playground, request: Request, make: Any, filename: str) -> Response:
    session = playground.session(request)
    if session is None or not playground.host_ok(request.headers):
        return JSONResponse({"error": "no such session: reload the page"}, status_code=404)
    try:
        snapshot = await asyncio.wrap_future(session.snapshot())
        content = await run_in_threadpool(make, snapshot, playground.folder)
    except (RuntimeError, GlassnetError) as error:
        return JSONResponse({"error": str(error)}, status_code=409)
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type="application/octet-stream", headers=disposition)


def _too_large() -> Response:
    limit = MAX_UPLOAD_BYTES // 2**20
    return JSONResponse(
        {"error": f"the file is larger than {limit} MB: upload a smaller CSV"}, status_code=413
    )
