"""Live output of filtered landmarks to other programs: OSC (UDP) and WebSocket JSON.

With this, Godot, Unity, TouchDesigner, Blender or a web page can use arpose as its
body tracker. Both outputs bind/send to ``127.0.0.1`` unless told otherwise, never
block the caller for long (UDP is fire-and-forget; each WebSocket client has a
bounded queue of its own, and a slow client loses its oldest frames instead of
building a backlog), and a receiver that is not there costs one warning, then at most
one summary per ten seconds, not one per frame. Memory stays flat however fast frames
come and however slow the clients read (``tools/soak_stream.py`` checks it for ten
minutes).

OSC address scheme (all messages are plain OSC 1.0 messages, no bundles)::

    /arpose/frame  i frame  f t  i width  i height  i people        once per frame
    /arpose/pose   i frame  f t  i id  then 33 x (f x, f y, f z, f visibility)
                   one per person per frame, landmarks in BlazePose order;
                   x = x_px / width, y = y_px / height (0..1, unmirrored image),
                   z = z / width (same scale as x; smaller = closer), visibility 0..1
    /arpose/world  i frame  i id  then 33 x (f x, f y, f z) metres, hips at the origin
                   (only with ``world=True``)
    /arpose/hand   i frame  f t  i id  i person (-1: no body)  s side ("left"/"right")
                   then 21 x (f x, f y, f z, f visibility), hand-model order, scaled like
                   /arpose/pose; one per hand per frame (only with hand tracking on)

    /arpose/sign   f t  s kind  s value  s text      one per sign-text event of
                   ``arpose signs live --osc`` (kind: letter, space, delete, word)

WebSocket: every frame is one text message holding :meth:`PoseFrame.to_json` (the
JSON contract: ``frame``, ``t``, ``width``, ``height``, ``people`` with pixel
``landmarks`` [x, y, z, visibility] and ``world``, and ``hands`` with hand tracking on).
Messages from clients are ignored.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import socket
import struct
import threading
import time
from typing import Any

import numpy as np

from .errors import StreamError
from .joints import LANDMARK_NAMES
from .pose import PoseFrame

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_OSC_PORT = 9000
DEFAULT_WS_PORT = 8765
OSC_PREFIX = "/arpose"


def parse_endpoint(text: str, default_host: str = DEFAULT_HOST) -> tuple[str, int]:
    """``"HOST:PORT"``, ``":PORT"`` or ``"PORT"`` -> (host, port).

    Raises:
        StreamError: not a valid endpoint.
    """
    host, sep, port_text = str(text).rpartition(":")
    if not sep:
        host = ""
    host = host.strip("[]") or default_host
    try:
        port = int(port_text)
    except ValueError:
        raise StreamError(f"{text!r}: expected HOST:PORT or PORT (e.g. 127.0.0.1:9000)") from None
    if not 0 <= port <= 65535:
        raise StreamError(f"{text!r}: port {port} is outside 0..65535")
    return host, port


class _QuietErrors:
    """Logs the first failure, then at most one summary per ``every_s`` seconds."""

    def __init__(self, what: str, every_s: float = 10.0):
        self.what = what
        self.every_s = every_s
        self.failures = 0
        self._suppressed = 0
        self._next_log = 0.0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        now = time.monotonic()
        if now >= self._next_log:
            more = f" ({self._suppressed} more failures since the last message)" if self._suppressed else ""
            log.warning("%s: %s%s; still streaming", self.what, exc, more)
            self._suppressed = 0
            self._next_log = now + self.every_s
        else:
            self._suppressed += 1

    def ok(self) -> None:
        if self.failures:
            log.info("%s: sending again", self.what)
            self.failures = 0


def _osc_string(text: str) -> bytes:
    """An OSC string: ASCII, NUL-terminated, padded with NULs to a multiple of 4 bytes."""
    raw = text.encode("ascii")
    return raw + b"\0" * (4 - len(raw) % 4)


def _osc_head(address: str, typetags: str) -> bytes:
    return _osc_string(address) + _osc_string("," + typetags)


def _udp_socket(host: str, port: int) -> socket.socket:
    """A UDP socket *connected* to the receiver: the kernel then binds it to the one local
    address that routes there (127.0.0.1 for a local receiver), never to 0.0.0.0, and
    reports a receiver that is not listening as an error instead of dropping silently.

    Raises:
        StreamError: the host does not resolve or the socket cannot be opened.
    """
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise StreamError(
            f"OSC receiver {host}:{port}: host {host!r} does not resolve "
            f"({reason}); give an IP address (127.0.0.1 for this machine) or "
            f"a host name this machine can resolve"
        ) from None
    last: OSError | None = None
    for family, kind, proto, _, addr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.connect(addr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise StreamError(
        f"OSC receiver {host}:{port}: cannot open a socket to it "
        f"({last.strerror if last is not None and last.strerror else last})"
    )


class OscSender:
    """Sends each PoseFrame as OSC messages over UDP (see the module doc for addresses).

    Args:
        host, port: the receiver.
        prefix: address prefix (default ``/arpose``).
        world: also send ``/arpose/world`` with world coordinates in metres.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_OSC_PORT,
        *,
        prefix: str = OSC_PREFIX,
        world: bool = False,
    ):
        self.host, self.port = host, port
        self.prefix = "/" + prefix.strip("/")
        self.world = world
        self.sent = 0
        self._sock = _udp_socket(host, port)
        self._errors = _QuietErrors(f"OSC {host}:{port}")
        n = len(LANDMARK_NAMES)
        self._frame_head = _osc_head(f"{self.prefix}/frame", "ifiii")
        self._pose_head = _osc_head(f"{self.prefix}/pose", "ifi" + "f" * (4 * n))
        self._world_head = _osc_head(f"{self.prefix}/world", "ii" + "f" * (3 * n))

    def messages(self, frame: PoseFrame) -> list[bytes]:
        """The OSC datagrams for one frame (encoded with numpy: one vectorised conversion
        per person instead of one Python call per value)."""
        w, h = (max(int(v), 1) for v in frame.size)
        index = int(frame.index) & 0x7FFFFFFF
        out = [self._frame_head + struct.pack(">ifiii", index, float(frame.t), w, h, len(frame.poses))]
        scale = np.array([1.0 / w, 1.0 / h, 1.0 / w, 1.0], np.float32)
        for p in frame.poses:
            values = (p.landmarks[:, :4] * scale).astype(">f4").tobytes()
            out.append(self._pose_head + struct.pack(">ifi", index, float(frame.t), int(p.id)) + values)
            if self.world:
                out.append(
                    self._world_head + struct.pack(">ii", index, int(p.id)) + p.world.astype(">f4").tobytes()
                )
        for hand in frame.hands:
            head = (
                _osc_head(f"{self.prefix}/hand", "ifiis" + "f" * 84)
                + struct.pack(
                    ">ifii",
                    index,
                    float(frame.t),
                    int(hand.id),
                    -1 if hand.person is None else int(hand.person),
                )
                + _osc_string(hand.side)
            )
            out.append(head + (hand.landmarks * scale).astype(">f4").tobytes())
        return out

    def send(self, frame: PoseFrame) -> None:
        """Send one frame; a missing or unreachable receiver never raises."""
        try:
            for dgram in self.messages(frame):
                self._sock.send(dgram)
        except OSError as exc:  # refused (nobody listens), full buffer, network down
            self._errors.failed(exc)
            return
        self._errors.ok()
        self.sent += 1

    def send_message(self, name: str, *values: float | str) -> None:
        """Send one OSC message ``{prefix}/{name}`` of floats and ASCII strings (the sign
        text events use it: ``/arpose/sign f t s kind s value s text``)."""
        tags = "".join("f" if isinstance(v, float) else "s" for v in values)
        body = b"".join(struct.pack(">f", v) if isinstance(v, float) else _osc_string(str(v)) for v in values)
        try:
            self._sock.send(_osc_head(f"{self.prefix}/{name}", tags) + body)
        except OSError as exc:
            self._errors.failed(exc)

    @property
    def local_address(self) -> tuple[str, int]:
        """The address the socket is bound to (a loopback address for a local receiver)."""
        return self._sock.getsockname()[:2]

    def close(self) -> None:
        self._sock.close()


class _Client:
    """One WebSocket connection's outbox: at most ``capacity`` messages; when full, the
    oldest is dropped (a slow client sees fresh frames late rather than old frames
    forever, and its backlog cannot grow)."""

    def __init__(self, connection: Any, capacity: int):
        self.connection = connection
        self.queue: collections.deque[str] = collections.deque(maxlen=capacity)
        self.wake = asyncio.Event()
        self.dropped = 0

    def put(self, message: str) -> None:
        if len(self.queue) == self.queue.maxlen:
            self.dropped += 1
        self.queue.append(message)
        self.wake.set()


class WebSocketServer:
    """A WebSocket server (``websockets`` library) in a background thread that pushes
    every PoseFrame to all connected clients as JSON text.

    Back-pressure: :meth:`send` appends to a queue of at most ``queue_frames`` frames
    (oldest dropped, so a caller faster than the event loop cannot pile up work); each
    client has its own bounded queue of ``client_frames`` messages and one writer that
    waits for the network, so a slow client drops its oldest frames (counted in :attr:`dropped`) and
    never slows the others or the caller. Drops are logged at most once per
    ``warn_every_s`` seconds.

    Args:
        host: the address to bind (``127.0.0.1``: this machine only; ``0.0.0.0``: all).
        port: the port (0 picks a free one; see :attr:`port` after :meth:`start`).
    """

    SEND_BUFFER = 32 * 1024
    """Kernel send buffer per client (bytes): small, so a slow client's backlog waits in
    its bounded queue, where it is dropped oldest first, rather than in the kernel."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_WS_PORT,
        *,
        queue_frames: int = 32,
        client_frames: int = 8,
        warn_every_s: float = 10.0,
    ):
        for name, value in (("queue_frames", queue_frames), ("client_frames", client_frames)):
            if value < 1:
                raise StreamError(f"{name}={value}: must be at least 1")
        self.host, self.port = host, port
        self.queue_frames = queue_frames
        self.client_frames = client_frames
        self.sent = 0
        """Frames handed to the clients' queues."""
        self.skipped = 0
        """Frames replaced before the event loop took them (the caller was faster)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broadcast_task: asyncio.Future[None] | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._clients: set[_Client] = set()
        self._pending: collections.deque[PoseFrame | dict[str, Any] | str] = collections.deque(
            maxlen=queue_frames
        )
        self._pending_lock = threading.Lock()
        self._scheduled = False
        self._dropped_gone = 0
        self.warn_every_s = warn_every_s
        self._warned_drops = 0
        self._next_drop_warning = 0.0

    @property
    def dropped(self) -> int:
        """Messages dropped from slow clients' queues (oldest first), all clients."""
        return self._dropped_gone + sum(c.dropped for c in list(self._clients))

    def start(self) -> WebSocketServer:
        """Listen; returns once the port is open.

        Raises:
            StreamError: the port cannot be bound (in use, no permission).
        """
        if self._thread is not None:
            return self
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="arpose-websocket", daemon=True)
        self._thread.start()
        ready.wait(10.0)
        if self._error is not None or self._server is None:
            self._thread.join(1.0)
            self._thread = None
            raise StreamError(
                f"WebSocket {self.host}:{self.port}: cannot listen "
                f"({self._error or 'timed out'}); choose another port"
            ) from None
        return self

    def _run(self, ready: threading.Event) -> None:
        from websockets.asyncio.server import serve  # lazy: only the WebSocket server

        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)

        async def start() -> Any:
            return await serve(
                self._handler,
                self.host,
                self.port,
                compression=None,
                max_queue=4,
                write_limit=1 << 14,
                logger=logging.getLogger(__name__ + ".websockets"),
            )

        try:
            self._server = loop.run_until_complete(start())
            self.port = self._server.sockets[0].getsockname()[1]
        except (OSError, socket.gaierror, UnicodeError) as exc:
            self._error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

    async def _handler(self, connection: Any) -> None:
        log.info("WebSocket client connected from %s", connection.remote_address)
        client = _Client(connection, self.client_frames)
        sock = connection.transport.get_extra_info("socket") if connection.transport else None
        if sock is not None:  # what waits in the kernel for a slow client is latency too
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.SEND_BUFFER)
            except OSError:  # pragma: no cover - best effort
                pass
        self._clients.add(client)
        reader = asyncio.ensure_future(self._drain_incoming(connection))
        reader.add_done_callback(lambda _: client.wake.set())  # gone: stop waiting
        try:
            while not reader.done():
                await client.wake.wait()
                client.wake.clear()
                while client.queue:
                    # send() waits while the connection's buffer is over its write limit:
                    # that wait is the back-pressure; meanwhile the queue drops oldest
                    await connection.send(client.queue.popleft())
        except Exception:  # a client vanishing mid-frame is normal
            pass
        finally:
            self._clients.discard(client)
            self._dropped_gone += client.dropped
            reader.cancel()
            log.info("WebSocket client %s left", connection.remote_address)

    @staticmethod
    async def _drain_incoming(connection: Any) -> None:
        try:
            async for _ in connection:  # incoming messages are ignored
                pass
        except Exception:
            pass

    @property
    def clients(self) -> int:
        """Number of connected clients."""
        return len(self._clients)

    def _schedule(self) -> None:
        # the loop keeps only a weak reference to a task: hold it, or a collection can end a
        # broadcast half-way (ruff RUF006)
        self._broadcast_task = asyncio.ensure_future(self._broadcast())

    async def _broadcast(self) -> None:
        """One task at a time (``_scheduled``) takes the waiting frames in order."""
        while True:
            with self._pending_lock:
                if not self._pending:
                    self._scheduled = False
                    break
                frame = self._pending.popleft()
            if self._clients:  # serialise only when someone listens, off the caller's thread
                if isinstance(frame, PoseFrame):
                    frame = frame.to_json()
                message = frame if isinstance(frame, str) else json.dumps(frame, separators=(",", ":"))
                for client in list(self._clients):
                    client.put(message)
            self.sent += 1
            await asyncio.sleep(0)  # let the clients' writers take it
        dropped = self.dropped
        now = time.monotonic()
        if dropped > self._warned_drops and now >= self._next_drop_warning:
            log.warning(
                "WebSocket: slow clients lost %d frames (oldest first) since the last "
                "message, %d in all; still streaming",
                dropped - self._warned_drops,
                dropped,
            )
            self._warned_drops = dropped
            self._next_drop_warning = now + self.warn_every_s

    def send(self, frame: PoseFrame | dict[str, Any] | str) -> None:
        """Hand one frame (a PoseFrame, a JSON object or text) to every client; returns
        at once and never raises for clients. When the event loop falls more than
        ``queue_frames`` frames behind the caller, the oldest waiting frame is dropped
        (counted in :attr:`skipped`)."""
        if self._loop is None or self._server is None:
            raise StreamError("WebSocketServer.send() before start()")
        with self._pending_lock:
            if len(self._pending) == self._pending.maxlen:
                self.skipped += 1
            self._pending.append(frame)
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._schedule)
        except RuntimeError:  # loop already closed during shutdown
            pass

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5.0)
        self._thread = None
        self._server = None

    def __enter__(self) -> WebSocketServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class Streamer:
    """OSC and/or WebSocket output of every frame given to :meth:`send`.

    Args:
        osc: ``(host, port)`` of an OSC receiver, or None.
        websocket: ``(host, port)`` to serve WebSocket clients on, or None.
        world: include world coordinates in OSC (always in WebSocket JSON).
    """

    def __init__(
        self,
        osc: tuple[str, int] | None = None,
        websocket: tuple[str, int] | None = None,
        *,
        world: bool = False,
    ):
        if osc is None and websocket is None:
            raise StreamError(
                "nothing to stream to: give an OSC receiver (osc=(host, port)) "
                "and/or a WebSocket address (websocket=(host, port))"
            )
        self.osc = OscSender(*osc, world=world) if osc is not None else None
        self.websocket: WebSocketServer | None = None
        if websocket is not None:
            try:
                self.websocket = WebSocketServer(*websocket).start()
            except BaseException:
                if self.osc is not None:
                    self.osc.close()
                raise
        self.frames = 0

    def send(self, frame: PoseFrame) -> None:
        if self.osc is not None:
            self.osc.send(frame)
        if self.websocket is not None:
            self.websocket.send(frame)
        self.frames += 1

    def close(self) -> None:
        if self.osc is not None:
            self.osc.close()
        if self.websocket is not None:
            self.websocket.close()

    def __enter__(self) -> Streamer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "OscSender",
    "WebSocketServer",
    "Streamer",
    "parse_endpoint",
    "DEFAULT_HOST",
    "DEFAULT_OSC_PORT",
    "DEFAULT_WS_PORT",
    "OSC_PREFIX",
]
