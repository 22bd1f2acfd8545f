// half_close.hpp — lesson01's half-close, shared by echo_client, upper_client and stream_client.
//
// shutdown(fd, SHUT_WR) sends FIN: "I have sent everything". The server's recv() then returns 0
// (end of file) once it has read all the bytes, while this side can still read the answer. close()
// could not say that: it ends both directions, and the answer would have nowhere to go.
#pragma once

#include "common/error.hpp"
#include "common/socket.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace lesson01 {

inline void shutdown_write(int fd)
{
    if (::shutdown(fd, SHUT_WR) < 0) {
        const int err = errno;
        netlab::trace("shutdown(", fd, ", SHUT_WR) = -1 ", netlab::errno_name(err), " (", std::strerror(err), ")");
        netlab::throw_sys("shutdown", err);
    }
    netlab::trace("shutdown(", fd, ", SHUT_WR) = 0");
}

}  // namespace lesson01
