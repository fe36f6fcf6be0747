"""A TCP proxy on loopback whose link can be cut and restored: the network between a device
and the portal dropping and returning, for real (connections reset, new ones refused)."""

from __future__ import annotations

import contextlib
import socket
import threading


class FlakyLink:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` resets every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._up = threading.Event()
        self._up.set()
        self._closed = False
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name="flaky-link", daemon=True).start()

    @property
    def url(self) -> str:
        """The address devices should use."""
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        """Drop the link: reset every open connection; new ones are reset at once."""
        self._up.clear()
        with self._lock:
            for sock in list(self._sockets):
                _reset(sock)
            self._sockets.clear()

    def restore(self) -> None:
        """Bring the link back."""
        self._up.set()

    def close(self) -> None:
        """Stop the proxy."""
        self._closed = True
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            self._sockets.discard(source)
            self._sockets.discard(sink)


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dropped network looks to the peer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
