// line_reader.hpp — reads '\n'-terminated lines from a stream socket (decrypt_server and
// decrypt_client, user_client): TCP keeps no message boundaries, so a line may arrive in pieces,
// or together with the start of the next one. What follows the '\n' is kept for the next call.
#pragma once

#include "common/error.hpp"
#include "common/socket.hpp"

#include <cerrno>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace lesson04 {

class LineReader {
public:
    explicit LineReader(int fd, std::size_t max_line = 64 * 1024) : fd_(fd), max_(max_line) {}

    // The next line without its '\n'; std::nullopt at EOF (a final unterminated line is returned
    // first). A line longer than max_line fails with EMSGSIZE: a stranger may never send '\n'.
    std::optional<std::string> next(int timeout_ms = -1)
    {
        for (;;) {
            if (auto nl = buf_.find('\n'); nl != std::string::npos) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                return line;
            }
            if (eof_) {
                if (buf_.empty())
                    return std::nullopt;
                return std::exchange(buf_, {});
            }
            if (buf_.size() > max_)
                throw netlab::SysError("recv (line over " + std::to_string(max_) + " bytes)", EMSGSIZE);
            char chunk[4096];
            const std::size_t n = netlab::recv_some(fd_, chunk, sizeof chunk, timeout_ms);
            if (n == 0)
                eof_ = true;
            buf_.append(chunk, n);
        }
    }

private:
    int fd_;
    std::size_t max_;
    std::string buf_;
    bool eof_ = false;
};

}  // namespace lesson04
