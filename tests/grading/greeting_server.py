#!/usr/bin/env python3
"""greeting_server in Python, as a student hands it in: the contract of scripts/grade, shown.

The lecture's server (lecture 001, "Пример ТСП сервера") with what grading asks of every
program (README.md, "Grading a student's programs"): the netlab name, --host/--port, the
lecture's stdout, --trace on stderr, a runtime error as one line "<name>: <call>(<address>):
<message> (errno N, NAME)" and exit 1, a usage error as one line and exit 2, and SIGINT or
SIGTERM ends it with status 0 at once.

Graded (tests/test_grading.cpp does this):
    mkdir bin && cp greeting_server.py bin/greeting_server && chmod +x bin/greeting_server
    scripts/grade bin lesson01
"""
import argparse
import errno
import re
import signal
import socket
import sys

NAME = "greeting_server"


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, as every netlab program does
        message = re.sub(r"^argument [^:]*: ", "", message)  # argparse's "argument -p/--port: "
        print(f"{NAME}: {message} (try --help)", file=sys.stderr)
        sys.exit(2)


def port_number(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"--port must be a whole number from 0 to 65535, not '{text}'")
    return int(text)


def main():
    parser = Parser(prog=NAME, description="Greets every client, then closes its connection (lecture 001)")
    parser.add_argument("--host", default="127.0.0.1", help="host name or address (IPv4 or IPv6)")
    parser.add_argument("-p", "--port", type=port_number, default=12345, help="TCP port")
    parser.add_argument("--trace", action="store_true", help="narrate every socket call on stderr")
    args = parser.parse_args()

    def trace(line):
        if args.trace:
            print(line, file=sys.stderr, flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)  # SIGINT raises KeyboardInterrupt already

    family, kind, proto, _, address = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0]
    where = f"[{address[0]}]:{address[1]}" if family == socket.AF_INET6 else f"{address[0]}:{address[1]}"
    server = socket.socket(family, kind, proto)
    trace(f"socket({family.name}, {kind.name}) = {server.fileno()}")
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        trace(f"setsockopt({server.fileno()}, SO_REUSEADDR, 1) = 0")
        try:
            server.bind(address)
        except OSError as e:
            name = errno.errorcode.get(e.errno, "?")
            trace(f"bind({server.fileno()}, {where}) = -1 {name} ({e.strerror})")
            print(f"{NAME}: bind({where}): {e.strerror} (errno {e.errno}, {name})", file=sys.stderr)
            return 1
        trace(f"bind({server.fileno()}, {where}) = 0")
        server.listen(5)
        trace(f"listen({server.fileno()}, 5) = 0")
        while True:
            client, addr = server.accept()
            host, port = addr[:2]
            peer = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
            trace(f"accept({server.fileno()}) = {client.fileno()} from {peer}")
            print(f"Server got connection from {(host, port)}", flush=True)
            with client:
                data = "Thank you for the connection".encode("utf-8")
                try:
                    sent = client.send(data)
                    trace(f"send({client.fileno()}, {len(data)}) = {sent}")
                except OSError as e:  # a client that vanished does not take the server down
                    print(f"{NAME}: client {(host, port)}: send: {e.strerror}", file=sys.stderr, flush=True)
                trace(f"close({client.fileno()}) = 0")
    except KeyboardInterrupt:
        return 0
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
