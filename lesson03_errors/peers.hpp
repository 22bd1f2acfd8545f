// lesson03_errors/peers.hpp — the loopback peers the scenarios break things against.
//
// Everything lives in one process: the kernel completes a TCP handshake for a listener whether
// or not anyone calls accept(), so a "server" here is just a socket we hold, and the scenario
// decides what it does wrong (never accept, never read, close, reset...).
#pragma once

#include "common/socket.hpp"
#include "lesson03_errors/scenario.hpp"

namespace lesson03 {

// socket + bind + listen on opts.host:opts.port (port 0: an ephemeral port, read back with
// netlab::local_endpoint). No SO_REUSEADDR unless asked: several scenarios are about it.
netlab::Fd listener(const Options& opts, int backlog, bool reuse_addr = false);

// A client socket of the right family, connected to `to` (timeout_ms < 0: blocking connect).
netlab::Fd connect_client(const netlab::Endpoint& to, int timeout_ms = -1);

// SO_LINGER {on, 0 s}: close() then aborts the connection with RST instead of the FIN of an
// orderly close — how a crashed or impatient peer looks from the other side.
void abort_on_close(int fd);

// A connected TCP pair over loopback: the client end and the accepted server end.
struct Connection {
    netlab::Fd listener;
    netlab::Fd client;
    netlab::Fd server;
};
Connection connected_pair(const Options& opts);

// A listener whose accept queue is already full: Linux then drops every further SYN without an
// answer — the "silent drop" of a firewall, made on this machine only. `filler` is the one
// connection that fills the queue (backlog 0 leaves room for exactly one).
struct FullListener {
    netlab::Fd listener;
    netlab::Fd filler;
    netlab::Endpoint address;
};
FullListener full_listener(const Options& opts);

// Waits until the kernel reports an error or hang-up on fd (POLLERR/POLLHUP), at most timeout_ms:
// how a scenario knows the peer's RST has arrived before it makes the call that reports it.
bool wait_error(int fd, int timeout_ms);

}  // namespace lesson03
