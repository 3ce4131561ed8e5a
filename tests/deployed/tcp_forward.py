"""A TCP forwarder: ``python tcp_forward.py LISTEN_PORT TARGET_PORT`` (loopback only).

The deployed harness puts it in front of the in-memory S3 server (moto), whose objects vanish
when it stops: killing the forwarder makes the object storage unreachable for the app (as a
stopped MinIO or a network partition would) while the stored objects survive for the integrity
check. Runs until killed.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading


def pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def serve(listen_port: int, target_port: int) -> None:
    server = socket.create_server(("127.0.0.1", listen_port), backlog=512)
    while True:
        client, _ = server.accept()
        try:
            upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
        except OSError:
            client.close()
            continue
        upstream.settimeout(None)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
