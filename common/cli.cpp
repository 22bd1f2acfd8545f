#include "common/cli.hpp"

#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

namespace netlab {

namespace {
struct HelpShown {};
std::string g_program = "netlab";
}  // namespace

Cli::Cli(std::string program, std::string summary, std::string default_host, std::uint16_t default_port)
    : options_(program, std::move(summary))
{
    options_.set_width(100);
    g_program = std::move(program);
    options_.add_options()                                                                                           //
        ("host", "host name or address (IPv4 or IPv6)", cxxopts::value<std::string>()->default_value(default_host))  //
        ("p,port", "TCP/UDP port", cxxopts::value<std::string>()->default_value(std::to_string(default_port)))       //
        ("trace", "narrate every socket call on stderr")                                                             //
        ("h,help", "show this help");
}

OptionAdder& OptionAdder::operator()(const std::string& names, const std::string& help,
                                     const std::shared_ptr<const cxxopts::Value>& value, const std::string& arg_help)
{
    cli_.options_.add_options()(names, help, value ? value : cxxopts::value<bool>(), arg_help);
    if (!value && names.find('.') != std::string::npos)
        cli_.dotted_flags_.insert(names);  // cxxopts's --help lists it; parse() reads it (see cli.hpp)
    return *this;
}

void Cli::positional(std::vector<std::string> names, std::string help_text)
{
    options_.parse_positional(names);
    options_.positional_help(help_text);
    // cxxopts leaves options that may come positionally out of --help; list them (--host, --port...)
    options_.show_positional_help();
}

void Cli::add_timeout(double default_seconds)
{
    options_.add_options()("timeout", "seconds any one wait may take",
                           cxxopts::value<std::string>()->default_value((std::ostringstream() << default_seconds).str()));
    has_timeout_ = true;
}

void Cli::default_endpoint(const std::string& host, std::uint16_t port)
{
    if (!host_given_)
        host_ = host;
    if (!port_given_)
        port_ = port;
}

long parse_number(const std::string& name, const std::string& text, long min, long max)
{
    std::size_t used = 0;
    long value = 0;
    try {
        value = std::stol(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < min || value > max)
        throw UsageError("--" + name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                         ", not '" + text + "'");
    return value;
}

int parse_timeout_ms(const std::string& text, double max_seconds)
{
    std::size_t used = 0;
    double seconds = -1;
    try {
        seconds = std::stod(text, &used);
    } catch (const std::exception&) {
    }
    if (used != text.size() || !(seconds > 0 && seconds <= max_seconds))
        throw UsageError("--timeout must be a number of seconds above 0 and at most " +
                         (std::ostringstream() << max_seconds).str() + ", not '" + text + "'");
    return std::max(1, static_cast<int>(seconds * 1000));  // 0 ms would not wait at all
}

cxxopts::ParseResult Cli::parse(int argc, char** argv)
{
    // A flag with a dot in its name (--http1.0) is ours to take out; cxxopts gets the rest.
    std::vector<char*> rest;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i > 0 && arg.starts_with("--") && dotted_flags_.count(std::string(arg.substr(2))))
            dotted_given_.insert(std::string(arg.substr(2)));
        else
            rest.push_back(argv[i]);
    }
    cxxopts::ParseResult result;
    try {
        result = options_.parse(static_cast<int>(rest.size()), rest.data());
    } catch (const std::exception& e) {  // cxxopts' own exception types differ across versions
        throw UsageError(e.what());
    }
    if (result.count("help")) {
        std::cout << options_.help() << std::flush;
        throw HelpShown{};
    }
    if (!result.unmatched().empty())  // more arguments than positional() named, or any without it
        throw UsageError("unexpected argument '" + result.unmatched().front() + "'");
    host_ = result["host"].as<std::string>();
    port_ = static_cast<std::uint16_t>(parse_number("port", result["port"].as<std::string>(), 0, 65535));
    host_given_ = result.count("host") > 0;
    port_given_ = result.count("port") > 0;
    if (has_timeout_)
        timeout_ms_ = parse_timeout_ms(result["timeout"].as<std::string>());
    set_trace(result.count("trace") > 0);
    return result;
}

void serve_client(const std::string& peer, const std::function<void()>& exchange)
{
    try {
        exchange();
    } catch (const SysError& e) {
        std::cerr << g_program << ": client " << peer << ": " << e.what() << std::endl;
    } catch (const Timeout& e) {
        std::cerr << g_program << ": client " << peer << ": " << e.what() << std::endl;
    }
}

int run_main(const std::function<int()>& body)
{
    std::signal(SIGPIPE, SIG_IGN);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    try {
        return body();
    } catch (const HelpShown&) {
        return 0;
    } catch (const Stopped&) {
        return 0;
    } catch (const UsageError& e) {
        std::cerr << g_program << ": " << e.what() << " (try --help)" << std::endl;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << g_program << ": " << e.what() << std::endl;
        return 1;
    }
}

}  // namespace netlab
