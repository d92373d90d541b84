"""Network fronts for the tests, on 127.0.0.1 only.

    netfront.py proxy LOG            a forward HTTP proxy (absolute-form requests and CONNECT
                                     tunnels); every request line goes to LOG
    netfront.py tls CERT KEY PORT    a TLS front that hands the plain bytes to 127.0.0.1:PORT

Each prints the port it listens on, then serves until it is killed (or its stdin closes).
"""

import socket
import ssl
import sys
import threading


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def join(a, b):
    threading.Thread(target=pipe, args=(a, b), daemon=True).start()
    pipe(b, a)
    a.close()
    b.close()


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head, rest


def proxy_one(conn, log):
    head, rest = read_head(conn)
    if head is None:
        conn.close()
        return
    first, _, headers = head.partition(b"\r\n")
    method, target, version = first.decode().split(" ", 2)
    with open(log, "a") as f:
        f.write(f"{method} {target}\n")
    if method == "CONNECT":
        host, port = target.rsplit(":", 1)
        up = socket.create_connection((host, int(port)))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            up.sendall(rest)
        join(conn, up)
        return
    # http://host:port/path -> /path, sent to host:port
    without = target.split("://", 1)[1]
    authority, _, path = without.partition("/")
    host, _, port = authority.partition(":")
    up = socket.create_connection((host, int(port or 80)))
    up.sendall(f"{method} /{path} {version}\r\n".encode() + headers + b"\r\n\r\n" + rest)
    join(conn, up)


def tls_one(conn, context, port):
    try:
        wrapped = context.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return
    up = socket.create_connection(("127.0.0.1", port))
    join(wrapped, up)


def serve(handle):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    print(server.getsockname()[1], flush=True)
    # Stop when the test that started us goes away.
    threading.Thread(target=lambda: (sys.stdin.read(), server.close()), daemon=True).start()
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    if sys.argv[1] == "proxy":
        log = sys.argv[2]
        open(log, "w").close()
        serve(lambda c: proxy_one(c, log))
    elif sys.argv[1] == "tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        port = int(sys.argv[4])
        serve(lambda c: tls_one(c, context, port))


if __name__ == "__main__":
    main()
