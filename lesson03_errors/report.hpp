// lesson03_errors/report.hpp — how every scenario tells what went wrong, in one format:
//
//   call:    connect(127.0.0.1:41234)
//   errno:   111 ECONNREFUSED
//   message: Connection refused
//   python:  ConnectionRefusedError: [Errno 111] Connection refused
//   why:     ...
//   do:      ...
//
// The `python:` line is what the lectures' Python would raise for the same failure, so a
// student can match our C++ run with the traceback in the notes.
#pragma once

#include "common/error.hpp"

#include <functional>
#include <string>

namespace lesson03 {

// "== connection refused (lectures 000, 003)": the first line of every scenario.
void title(const std::string& text);
// One line of narration: what the scenario sets up or does next.
void step(const std::string& text);

// Python's exception for an errno: "ConnectionRefusedError: [Errno 111] Connection refused".
std::string python_exception(int err);
// "EAI_NONAME" for getaddrinfo's -2.
std::string eai_name(int eai);

// The report lines for a failed system call, a failed getaddrinfo, and a wait that ran out.
void report_errno(const std::string& call, int err);
void report_gai(const std::string& call, int eai);
void report_timeout(const std::string& call, int waited_ms);
// call/errno/python lines for a failure that is no errno at all ("recv returned 0").
void report_no_errno(const std::string& call, const std::string& what_happened, const std::string& python);
void explain(const std::string& why, const std::string& what_to_do);

// Runs `action`, which must fail with errno `expected`, and reports that failure. Returns the
// errno seen. Anything else (success, another errno) means the demonstration did not work on
// this machine: that is thrown as an error naming what happened instead (exit status 1).
int expect_errno(int expected, const std::function<void()>& action, const std::string& call = {});
// Same for a netlab::Timeout (a wait in poll() that ran out).
void expect_timeout(int waited_ms, const std::function<void()>& action, const std::string& call = {});

// recv(4096) on fd, which must fail with errno `expected` (a reset, an abort): reported as
// "recv(4096)", the lecture's s.recv(4096).
int expect_recv_error(int expected, int fd);

// The --trace line for a raw call a scenario makes itself (no wrapper would make it: a connect
// on a closed descriptor, a recv that must not wait): "connect(4, ...) = -1 EBADF (Bad file descriptor)".
void trace_raw(const std::string& call, long result, int err);

// "2" or "0.5": a wait in seconds, as the lectures write settimeout(2.0).
std::string seconds(int ms);

[[noreturn]] void unexpected(const std::string& what);

}  // namespace lesson03
