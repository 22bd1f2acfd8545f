#!/usr/bin/env python3
"""N concurrent clients of lesson04's uppercase-echo service, written with nothing but the
lecture's socket module, as a real peer for the C++ servers.

    lesson04_models_clients.py HOST PORT N

All N connect first, so the server holds them all at once; then every client, in its own
thread, sends 'client <i>: п' plus the FIRST byte of 'р' (a two-byte letter cut in half) and
waits for 'CLIENT <i>: П' — the server must answer what is complete and keep the half letter —
then sends the rest, reads the whole answer 'CLIENT <i>: ПРИВЕТ, МИР!\\n' and closes.
Prints 'ok N' and exits 0 when every answer is exact; otherwise one line per failure, exit 1.
"""
import socket
import sys
import threading

TIMEOUT = 10


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f'server closed after {data!r}')
        data += chunk
    return data


def conversation(i, sock, start, failures):
    try:
        text = f'client {i}: привет, мир!\n'.encode()
        cut = text.index('р'.encode()) + 1      # just after the first byte of 'р'
        start.wait(TIMEOUT)
        sock.sendall(text[:cut])
        complete = text[:cut - 1].decode()       # what the server can uppercase so far
        got = recv_exact(sock, len(complete.upper().encode()))
        if got != complete.upper().encode():
            raise ValueError(f'first part: expected {complete.upper().encode()!r}, got {got!r}')
        sock.sendall(text[cut:])
        rest = text.decode().upper().encode()[len(got):]
        got = recv_exact(sock, len(rest))
        if got != rest:
            raise ValueError(f'rest: expected {rest!r}, got {got!r}')
    except Exception as e:                        # report every client, not just the first
        failures.append(f'client {i}: {e!r}')
    finally:
        sock.close()


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    socks = [socket.create_connection((host, port), timeout=TIMEOUT) for _ in range(n)]
    start = threading.Barrier(n)
    failures = []
    threads = [threading.Thread(target=conversation, args=(i, s, start, failures)) for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in failures:
        print(f)
    if failures:
        sys.exit(1)
    print(f'ok {n}')


if __name__ == '__main__':
    main()
