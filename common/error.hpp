// common/error.hpp — how netlab programs report failure.
//
// Every failing call becomes an exception that carries the call's name and errno, so the
// top level (netlab::run in cli.hpp) can print one clear line and pick the exit code:
//   echo_server: bind(127.0.0.1:5000): Address already in use (errno 98, EADDRINUSE)
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace netlab {

// A system call failed. call() names it (with its argument, when that helps), code() is errno.
class SysError : public std::runtime_error {
public:
    SysError(std::string call, int err);
    const std::string& call() const noexcept { return call_; }
    int code() const noexcept { return err_; }

private:
    std::string call_;
    int err_;
};

// getaddrinfo/getnameinfo failed; code() is the EAI_* value (negative on glibc, as Python shows).
class ResolveError : public std::runtime_error {
public:
    ResolveError(const std::string& what_was_resolved, int eai);
    int code() const noexcept { return eai_; }

private:
    int eai_;
};

// A wait ran out of time. Python raises socket.timeout ("timed out") in the same place.
class Timeout : public std::runtime_error {
public:
    explicit Timeout(const std::string& call) : std::runtime_error(call + ": timed out") {}
};

// The command line was wrong: the program prints one line and exits with status 2.
class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// SIGINT or SIGTERM arrived while a server waited; thrown to unwind cleanly (exit 0).
struct Stopped {};

// "ECONNREFUSED" for ECONNREFUSED; "errno 999" for anything the C library cannot name.
std::string errno_name(int err);

// "Connection refused (errno 111, ECONNREFUSED)": the tail of every SysError line.
std::string describe_errno(int err);

[[noreturn]] void throw_sys(const std::string& call, int err = errno);

}  // namespace netlab
