"""What a session's worker thread hands to its WebSocket: replies in order, and the latest frame.

The worker (a plain thread) posts; the WebSocket's sender (a coroutine on the event loop)
takes. A frame is a latest-value mailbox: posting one replaces the frame not yet sent, so
a slow tab gets the newest picture, never a growing queue. A frame is sent only once the
page has acknowledged the one before (``ack``): the page's drawing paces the training.
Replies (errors, the glass box, the data's points) are few, one per command at most,
and all are sent.
"""

import asyncio
import contextlib
import threading
from collections import deque
from typing import Any

Message = str | bytes


class Outbox:
    """Replies and the latest frame of one session, and the event that wakes its sender."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._replies: deque[Message] = deque(maxlen=64)
        self._frame: bytes | None = None
        self._acked = True  # the page is ready for a frame
        self.frame_taken = threading.Event()  # the worker waits on it before the next frame
        self.frame_taken.set()
        self.wake = asyncio.Event()

    def reply(self, message: Message) -> None:
        """Queue a reply (called from the worker thread)."""
        with self._lock:
            self._replies.append(message)
        self._notify()

    def post_frame(self, frame: bytes) -> None:
        """Make ``frame`` the next frame, replacing one not yet sent (worker thread)."""
        with self._lock:
            self._frame = frame
            self.frame_taken.clear()
        self._notify()

    def acknowledge(self) -> None:
        """The page drew the last frame: the next may be sent (event loop)."""
        with self._lock:
            self._acked = True
        self.wake.set()

    def take(self) -> list[Message]:
        """Everything to send now: every reply, then the frame if the page is ready for one."""
        with self._lock:
            messages: list[Message] = list(self._replies)
            self._replies.clear()
            if self._frame is not None and self._acked:
                messages.append(self._frame)
                self._frame, self._acked = None, False
                self.frame_taken.set()
            self.wake.clear()
        return messages

    def _notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: the tab is gone
            self._loop.call_soon_threadsafe(self.wake.set)

    def __repr__(self) -> str:
        state: dict[str, Any] = {"replies": len(self._replies), "frame": self._frame is not None}
        return f"Outbox({state})"
