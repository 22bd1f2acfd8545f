// stream.hpp — a connected byte stream a client reads and writes: a plain TCP socket, or TLS
// over one (tls.hpp). http_get (and part 2's clients) speak HTTP through this, so the same code
// serves http:// and https://.
#pragma once

#include "common/socket.hpp"

#include <cstddef>
#include <string_view>

namespace http {

class Stream {
public:
    virtual ~Stream() = default;
    // Some bytes (0 at EOF); waits at most timeout_ms (< 0: for ever), then throws netlab::Timeout.
    virtual std::size_t read(char* buf, std::size_t size, int timeout_ms) = 0;
    virtual void write_all(std::string_view data, int timeout_ms) = 0;
    virtual int fd() const = 0;
};

class PlainStream : public Stream {
public:
    explicit PlainStream(netlab::Fd fd) : fd_(std::move(fd)) {}
    std::size_t read(char* buf, std::size_t size, int timeout_ms) override
    {
        return netlab::recv_some(fd_.get(), buf, size, timeout_ms);
    }
    void write_all(std::string_view data, int timeout_ms) override { netlab::send_all(fd_.get(), data, timeout_ms); }
    int fd() const override { return fd_.get(); }

private:
    netlab::Fd fd_;
};

}  // namespace http
