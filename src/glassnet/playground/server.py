"""Serve the playground with uvicorn, on 127.0.0.1 unless asked otherwise."""

import os
import threading
import webbrowser

from glassnet.errors import InputError
from glassnet.playground.app import LOCAL_HOSTS, create_app

MAX_WEBSOCKET_BYTES = 2**20  # uvicorn closes a connection sending more; the schema says 64 KB


def missing_extra() -> str | None:
    """What to install when Starlette or uvicorn is missing; None when both are there."""
    import importlib.util

    for name in ("starlette", "uvicorn", "websockets"):  # uvicorn speaks WebSocket via websockets
        if importlib.util.find_spec(name) is None:
            return f"the playground needs {name}: pip install 'glassnet[playground]'"
    return None


def exposed_warning(host: str) -> str | None:
    """The warning for a host other than this machine's loopback; None for 127.0.0.1."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return None
    return (
        f"the playground listens on {host}: anyone who can reach this machine can use it "
        "(it has no login); use --host 127.0.0.1 to keep it local"
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = True,
    data: str | os.PathLike[str] | None = None,
) -> None:
    """Run the server until Ctrl-C, opening the page in the browser unless asked not to.

    Each session's worker uses one BLAS thread: its matrices are small, and threads that
    wait on each other cost more than they give (a 6x16 network's frame: 63 ms with two
    OpenBLAS threads on a busy machine, 6 ms with one).
    """
    problem = missing_extra()
    if problem is not None:
        raise InputError(problem)
    import uvicorn
    from threadpoolctl import threadpool_limits

    hosts = (*LOCAL_HOSTS, host) if host not in ("0.0.0.0", "::") else (*LOCAL_HOSTS, host, "*")
    app = create_app(hosts=hosts, preload=data)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    with threadpool_limits(limits=1):
        uvicorn.run(app, host=host, port=port, ws_max_size=MAX_WEBSOCKET_BYTES)
