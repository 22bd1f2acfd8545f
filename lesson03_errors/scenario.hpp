// lesson03_errors/scenario.hpp — what every scenario of net_errors gets, and the list of them.
//
// A scenario is one function in scenarios/<name>.cpp: it builds its own peer on loopback,
// triggers one failure, reports it (report.hpp) and returns 0 when the failure showed up as the
// lecture describes. Ports are ephemeral (bind port 0, read it back) unless --port is given, so
// many scenarios can run at once and none leaves a well-known port in TIME_WAIT.
#pragma once

#include <cstdint>
#include <string>

namespace lesson03 {

struct Options {
    std::string host;        // where the peers live: 127.0.0.1 (or ::1), or the scenario's own default
    std::uint16_t port = 0;  // 0: let the kernel pick
    int timeout_ms = -1;     // --timeout; -1: the lecture's value
    int syn_retries = 2;     // --syn-retries, for connect-etimedout
    // The wait a scenario uses: --timeout if given, else the lecture's.
    int wait_ms(int lecture_ms) const { return timeout_ms >= 0 ? timeout_ms : lecture_ms; }
};

int bad_name(const Options&);
int in_use(const Options&);
int time_wait(const Options&);
int not_local(const Options&);
int refused(const Options&);
int connect_timeout(const Options&);
int connect_etimedout(const Options&);
int recv_timeout(const Options&);
int accept_timeout(const Options&);
int select_timeout(const Options&);
int peer_closed(const Options&);
int reset(const Options&);
int reset_before_accept(const Options&);
int aborted(const Options&);
int broken_pipe(const Options&);
int bad_fd(const Options&);
int would_block(const Options&);
int send_buffer(const Options&);

}  // namespace lesson03
