// lesson03_errors/report.cpp — the uniform report every scenario prints (see report.hpp).
#include "lesson03_errors/report.hpp"

#include "common/socket.hpp"

#include <cstring>
#include <iostream>
#include <netdb.h>
#include <sstream>
#include <stdexcept>

namespace lesson03 {

void title(const std::string& text) { std::cout << "== " << text << "\n"; }
void step(const std::string& text) { std::cout << "-- " << text << "\n"; }

std::string python_exception(int err)
{
    // Python 3.3+ raises these OSError subclasses for the errno values below (PEP 3151).
    const char* cls = "OSError";
    switch (err) {
    case ECONNREFUSED: cls = "ConnectionRefusedError"; break;
    case ECONNRESET: cls = "ConnectionResetError"; break;
    case ECONNABORTED: cls = "ConnectionAbortedError"; break;
    case EPIPE:
    case ESHUTDOWN: cls = "BrokenPipeError"; break;
    case ETIMEDOUT: cls = "TimeoutError"; break;
    case EAGAIN:  // == EWOULDBLOCK on Linux
    case EALREADY:
    case EINPROGRESS: cls = "BlockingIOError"; break;
    case EINTR: cls = "InterruptedError"; break;
    default: break;
    }
    return std::string(cls) + ": [Errno " + std::to_string(err) + "] " + std::strerror(err);
}

std::string eai_name(int eai)
{
    switch (eai) {
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_SYSTEM: return "EAI_SYSTEM";
#ifdef EAI_NODATA
    case EAI_NODATA: return "EAI_NODATA";
    case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
#endif
    default: return "EAI " + std::to_string(eai);
    }
}

void report_errno(const std::string& call, int err)
{
    std::cout << "call:    " << call << "\n"
              << "errno:   " << err << " " << netlab::errno_name(err) << "\n"
              << "message: " << std::strerror(err) << "\n"
              << "python:  " << python_exception(err) << "\n";
}

void report_gai(const std::string& call, int eai)
{
    std::cout << "call:    " << call << "\n"
              << "errno:   " << eai << " " << eai_name(eai) << " (a getaddrinfo code, not an errno)\n"
              << "message: " << gai_strerror(eai) << "\n"
              << "python:  socket.gaierror: [Errno " << eai << "] " << gai_strerror(eai) << "\n";
}

void report_timeout(const std::string& call, int waited_ms)
{
    std::cout << "call:    " << call << "\n"
              << "errno:   none: no system call failed; our own wait (poll) gave up after " << waited_ms << " ms\n"
              << "message: timed out\n"
              << "python:  TimeoutError: timed out\n";
}

void report_no_errno(const std::string& call, const std::string& what_happened, const std::string& python)
{
    std::cout << "call:    " << call << "\n"
              << "errno:   none: " << what_happened << "\n"
              << "python:  " << python << "\n";
}

void explain(const std::string& why, const std::string& what_to_do)
{
    std::cout << "why:     " << why << "\n"
              << "do:      " << what_to_do << "\n";
}

std::string seconds(int ms)
{
    std::ostringstream text;
    text << ms / 1000.0;
    return text.str();
}

[[noreturn]] void unexpected(const std::string& what)
{
    throw std::runtime_error("the demonstration did not work here: " + what);
}

int expect_errno(int expected, const std::function<void()>& action, const std::string& call)
{
    try {
        action();
    } catch (const netlab::SysError& e) {
        report_errno(call.empty() ? e.call() : call, e.code());
        if (e.code() != expected)
            unexpected("expected " + netlab::errno_name(expected) + ", got " + netlab::errno_name(e.code()));
        return e.code();
    } catch (const netlab::Timeout& e) {
        unexpected(std::string(e.what()) + " instead of " + netlab::errno_name(expected));
    }
    unexpected("the call succeeded instead of failing with " + netlab::errno_name(expected));
}

int expect_recv_error(int expected, int fd)
{
    return expect_errno(
        expected,
        [&] {
            char buf[4096];
            netlab::recv_some(fd, buf, sizeof buf, 5000);
        },
        "recv(4096)");
}

void trace_raw(const std::string& call, long result, int err)
{
    netlab::trace(call, " = ",
                  (result >= 0 ? std::to_string(result) : "-1 " + netlab::errno_name(err) + " (" + std::strerror(err) + ")"));
}

void expect_timeout(int waited_ms, const std::function<void()>& action, const std::string& call)
{
    try {
        action();
    } catch (const netlab::Timeout& e) {
        std::string name = e.what();
        name.resize(name.size() - std::strlen(": timed out"));
        report_timeout(call.empty() ? name : call, waited_ms);
        return;
    } catch (const netlab::SysError& e) {
        report_errno(call.empty() ? e.call() : call, e.code());
        unexpected("expected our own timeout, got " + netlab::errno_name(e.code()));
    }
    unexpected("the call succeeded instead of timing out");
}

}  // namespace lesson03
