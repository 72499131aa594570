"""A TCP proxy between the app and its database server that a test can cut and restore.

    with TcpProxy("127.0.0.1", 5432) as proxy:     # listens on 127.0.0.1:proxy.port
        ...                                         # point DATABASE_URL at proxy.port
        proxy.cut()       # every open connection dropped, every new one reset at once
        proxy.restore()   # new connections reach the server again

A cut is what the app sees when the database server restarts or the network between them
fails: open connections die mid-session and new ones are refused. The listening port stays
the same throughout, so the app's DATABASE_URL never changes.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open = True
        self._closed = False
        self._sockets: set[socket.socket] = set()
        self.accepted = 0  # connections forwarded to the server
        self.refused = 0  # connections reset while cut
        self._acceptor = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)
        self._acceptor.start()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def connections(self) -> int:
        """Client connections open through the proxy now."""
        with self._lock:
            return len(self._sockets) // 2

    def cut(self) -> None:
        """Drop every open connection and reset every new one until restore()."""
        with self._lock:
            self._open = False
            dropping, self._sockets = self._sockets, set()
        for sock in dropping:
            _drop(sock)

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
        self._listener.close()
        self._acceptor.join(timeout=5)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener was closed
                return
            with self._lock:
                if self._closed:
                    _drop(client)
                    return
                refuse = not self._open
                if refuse:
                    self.refused += 1
            if refuse:
                _drop(client)
                continue
            try:
                server = socket.create_connection(self._target, timeout=5)
            except OSError:
                _drop(client)
                continue
            server.settimeout(None)
            with self._lock:
                if not self._open:  # cut while connecting
                    _drop(client)
                    _drop(server)
                    continue
                self._sockets.update((client, server))
                self.accepted += 1
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._sockets.discard(source)
            self._sockets.discard(sink)
        _drop(source)
        _drop(sink)


def _drop(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a dead server or a broken route looks to a client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
