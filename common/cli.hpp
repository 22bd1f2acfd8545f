// common/cli.hpp — the command line every netlab program shares, and its top-level error policy.
//
//   int main(int argc, char** argv) {
//       return netlab::run([&] {
//           netlab::Cli cli("echo_server", "One-shot echo server (lecture 000)", "127.0.0.1", 5000);
//           cli.add()("message", "text to send", cxxopts::value<std::string>());
//           auto args = cli.parse(argc, argv);
//           ...
//           return 0;
//       });
//   }
//
// Exit codes: 0 success (and a server stopped by Ctrl-C), 1 runtime error (one line naming the
// call and errno), 2 usage error (one line, then a hint to try --help).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

// A repeatable option (-H, -d, --to, a list of URLs) collects one value per use, as curl's do.
// cxxopts would also split every value at its commas: "Accept: a, b" would become two header
// fields, and a URL with a comma two URLs. No argv string holds a NUL, so nothing is split.
#define CXXOPTS_VECTOR_DELIMITER '\0'
// cxxopts reads "--name=value" and checks option names with std::regex unless told not to, and its
// regex objects are built in every file that includes it: each program took about three times as
// long to compile (upper_client: 6.7 s against 2.2 s). Without std::regex it parses the same
// options, except a long name with a dot in it, such as curl's --http1.0: Cli::parse() takes such
// flags off the command line itself (Cli::given).
#define CXXOPTS_NO_REGEX
#include <cxxopts.hpp>

namespace netlab {

// What cli.add() returns: `cli.add()("quiet", "help")("size", "help", cxxopts::value<std::string>())`,
// as with cxxopts's own adder, which it calls. It also notes each flag with a dot in its name, which
// cxxopts without std::regex cannot read, so that Cli::parse() can (see above).
class Cli;
class OptionAdder {
public:
    explicit OptionAdder(Cli& cli) : cli_(cli) {}
    // No value: a flag (--quiet), read back with args.count("quiet") (a name with a dot in it:
    // cli.given("http1.0")).
    OptionAdder& operator()(const std::string& names, const std::string& help,
                            const std::shared_ptr<const cxxopts::Value>& value = nullptr, const std::string& arg_help = "");

private:
    Cli& cli_;
};

class Cli {
public:
    // Adds --host, --port, --trace and --help with the lecture's defaults.
    Cli(std::string program, std::string summary, std::string default_host, std::uint16_t default_port);

    OptionAdder add() { return OptionAdder(*this); }
    // Adds --timeout SECONDS (how long any one wait may take); read it back with timeout_ms().
    void add_timeout(double default_seconds);
    // Arguments given without a flag fill these options in order (e.g. `app_client HOST PORT ...`).
    void positional(std::vector<std::string> names, std::string help_text);

    // --help prints the usage and ends the program with status 0; anything malformed throws
    // UsageError, an argument left over after the positional ones included. Turns tracing on
    // for --trace.
    cxxopts::ParseResult parse(int argc, char** argv);

    const std::string& host() const { return host_; }
    std::uint16_t port() const { return port_; }
    int timeout_ms() const { return timeout_ms_; }
    // For programs whose defaults depend on another option (echo_server --variant): use these
    // unless the user gave --host/--port. Call after parse().
    void default_endpoint(const std::string& host, std::uint16_t port);
    // Whether a flag whose name has a dot in it (--http1.0) was given. Call after parse().
    bool given(const std::string& dotted_flag) const { return dotted_given_.count(dotted_flag) > 0; }

private:
    friend class OptionAdder;
    cxxopts::Options options_;
    std::set<std::string> dotted_flags_, dotted_given_;
    std::string host_;
    std::uint16_t port_ = 0;
    bool host_given_ = false, port_given_ = false;
    int timeout_ms_ = -1;
    bool has_timeout_ = false;
};

// Runs a program body under netlab's error policy (see above). Also ignores SIGPIPE, so a
// vanished peer shows up as an EPIPE error instead of silently killing the process, and makes
// stdout line-buffered so every printed line reaches a pipe (a test, `| tee`) at once.
// The body may return an exit status, or nothing (0), e.g. a server that only stops on a signal.
int run_main(const std::function<int()>& body);
template <class Body>
int run(Body&& body)
{
    return run_main([&]() -> int {
        if constexpr (std::is_void_v<decltype(body())>) {
            body();
            return 0;
        } else {
            return body();
        }
    });
}

// Runs one client's exchange so that its failure (reset, timeout, garbage) is logged on stderr as
//   echo_server: client ('127.0.0.1', 53422): recv: Connection reset by peer (errno 104, ECONNRESET)
// and the server goes on to the next client instead of dying with it.
void serve_client(const std::string& peer, const std::function<void()>& exchange);

// Parses a whole decimal number within [min, max] for option `name`, or throws UsageError.
long parse_number(const std::string& name, const std::string& text, long min, long max);

// Parses --timeout's SECONDS (above 0, at most max_seconds) into milliseconds (at least 1), or
// throws UsageError. add_timeout() uses it; so does a program whose --timeout has no default.
int parse_timeout_ms(const std::string& text, double max_seconds = 3600);

}  // namespace netlab
