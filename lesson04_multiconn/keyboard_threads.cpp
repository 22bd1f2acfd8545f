// keyboard_threads — lecture 001's warm-up («Разминка»): one thread keeps printing the last key
// typed, the main thread reads keys; a new key switches the output at once, `q` quits. Until a
// key is typed nothing is printed.
//
//   $ ./keyboard_threads
//   aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
//   aaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbb        (typed b)
//   bbbbbbbbbbbbbbbbbbbb                            (typed q)
//
// Watch for:
//  - Two threads share one variable (the key): a mutex guards it, and a condition variable both
//    paces the printer (wait_for with a timeout) and wakes it the moment a key arrives or `q`
//    ends the program — no sleeping thread to wait for.
//  - A terminal normally hands a program whole lines (canonical mode) and echoes what is typed.
//    To get each key at once we switch it to non-canonical mode without echo, and restore it on
//    every way out (q, end of input, Ctrl-C) — or the shell would be left unusable.
//  - Keys may be multi-byte UTF-8 (Cyrillic): we read until the character is complete.
//  - With input from a pipe instead of a terminal it just reads bytes: printf 'ab' | ./keyboard_threads
//
// Run it:   ./keyboard_threads          (--host/--port are accepted, as by every netlab program, and unused)
#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <poll.h>
#include <string>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace {

// Keys one at a time, without echo, while this object lives (only if stdin is a terminal).
class KeysAtOnce {
public:
    KeysAtOnce()
    {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) < 0)
            return;
        termios raw = saved_;
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C still works
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    ~KeysAtOnce()
    {
        if (active_)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    KeysAtOnce(const KeysAtOnce&) = delete;
    KeysAtOnce& operator=(const KeysAtOnce&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

// The second thread: prints the current key every `interval`, a line break every 40 keys.
class Printer {
public:
    explicit Printer(std::chrono::milliseconds interval) : interval_(interval), thread_([this] { run(); }) {}
    ~Printer()
    {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        changed_.notify_one();
        thread_.join();
    }
    Printer(const Printer&) = delete;
    Printer& operator=(const Printer&) = delete;

    void set(std::string key)
    {
        {
            std::lock_guard lock(mutex_);
            key_ = std::move(key);
        }
        changed_.notify_one();  // switch now, not after the current interval
    }

private:
    void run()
    {
        std::unique_lock lock(mutex_);
        int printed = 0;
        while (!quit_) {
            if (!key_.empty()) {
                std::cout << key_ << (++printed % 40 == 0 ? "\n" : "") << std::flush;
            }
            changed_.wait_for(lock, interval_);
        }
        if (printed % 40 != 0)
            std::cout << "\n";
    }

    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string key_;  // empty until the first key
    bool quit_ = false;
    std::thread thread_;  // last: starts after everything it uses exists
};

// The next key from stdin (one UTF-8 character); std::nullopt at end of input.
std::optional<std::string> read_key()
{
    std::string key;
    do {
        netlab::wait_ready(STDIN_FILENO, POLLIN);  // Ctrl-C arrives here as netlab::Stopped
        char c;
        const ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            netlab::throw_sys("read(stdin)");
        if (n == 0)
            return std::nullopt;
        key += c;
    } while (netlab::utf8_complete_prefix(key) < key.size());
    return key;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("keyboard_threads", "Warm-up: a thread prints the last key typed, `q` quits (lecture 001)", "127.0.0.1",
                        0);
        cli.add()("interval", "milliseconds between two printed keys", cxxopts::value<std::string>()->default_value("100"));
        auto args = cli.parse(argc, argv);
        const auto interval = std::chrono::milliseconds(
            netlab::parse_number("interval", args["interval"].as<std::string>(), 1, 10'000));
        netlab::install_stop_handlers();  // before the printer starts, so only this thread takes Ctrl-C

        KeysAtOnce keys;  // destroyed last: the terminal is restored after the printer has stopped
        Printer printer(interval);
        while (const auto key = read_key()) {
            if (*key == "q")
                break;
            if (*key == "\n" || *key == "\r")
                continue;  // Enter in a pipe or a line-mode terminal is not a key to print
            printer.set(*key);
        }
    });
}
