// resolve — names and addresses (lecture 000: getaddrinfo, gethostbyaddr, gethostname).
//
//   ./resolve localhost 80          every (family, type, protocol, address) getaddrinfo returns,
//                                   printed as Python's socket.getaddrinfo() prints them
//   ./resolve --reverse 127.0.0.1   the reverse lookup: ('localhost', [], ['127.0.0.1'])
//   ./resolve --hostname            this machine's name (socket.gethostname())
//
// Watch for: one name gives several results — IPv4 and IPv6, and each for TCP, UDP and raw
// sockets. A client should try them in order until one connects (tcp_connect in common/ does).
//
// Run it:   ./resolve localhost 80      (no partner: getaddrinfo asks /etc/hosts and DNS, not a server of ours)
#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <iostream>
#include <netdb.h>
#include <unistd.h>

namespace {

std::string python_family(int family)
{
    return "<AddressFamily." + netlab::family_name(family) + ": " + std::to_string(family) + ">";
}

std::string python_socktype(int type) { return "<SocketKind." + netlab::socktype_name(type) + ": " + std::to_string(type) + ">"; }

void reverse_lookup(const std::string& address)
{
    // getnameinfo wants a sockaddr: a numeric-only getaddrinfo turns the text into one.
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    addrinfo* ai = nullptr;
    if (int rc = getaddrinfo(address.c_str(), nullptr, &hints, &ai); rc != 0) {
        netlab::trace("getaddrinfo(" + address + ", AI_NUMERICHOST) = " + std::to_string(rc) + " (" + gai_strerror(rc) + ")");
        throw netlab::ResolveError(address, rc);
    }
    netlab::trace("getaddrinfo(" + address + ", AI_NUMERICHOST) = 0");
    char host[NI_MAXHOST];
    int rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, nullptr, 0, NI_NAMEREQD);
    freeaddrinfo(ai);
    netlab::trace("getnameinfo(" + address + ", NI_NAMEREQD) = " + std::to_string(rc) + (rc == 0 ? " " + std::string(host) : ""));
    if (rc != 0)
        throw std::runtime_error("getnameinfo(" + address + "): " + gai_strerror(rc) + " (EAI " + std::to_string(rc) + ")");
    std::cout << "('" << host << "', [], ['" << address << "'])\n";
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("resolve", "getaddrinfo, reverse lookup and gethostname (lecture 000)", "localhost", 80);
        cli.add()("name", "host name to look up (instead of --host)", cxxopts::value<std::string>())       //
            ("service", "port or service name (instead of --port)", cxxopts::value<std::string>())         //
            ("reverse", "reverse lookup of an IP address (gethostbyaddr)", cxxopts::value<std::string>())  //
            ("hostname", "print this machine's host name (gethostname)");
        cli.positional({"name", "service"}, "[HOST [PORT]]");
        auto args = cli.parse(argc, argv);
        const std::string host = args.count("name") ? args["name"].as<std::string>() : cli.host();
        const std::string service = args.count("service") ? args["service"].as<std::string>() : std::to_string(cli.port());

        if (args.count("hostname")) {
            char name[256] = {};
            if (gethostname(name, sizeof name - 1) < 0)
                netlab::throw_sys("gethostname");
            netlab::trace("gethostname() = 0: " + std::string(name));
            std::cout << name << "\n";
            return 0;
        }
        if (args.count("reverse")) {
            reverse_lookup(args["reverse"].as<std::string>());
            return 0;
        }
        // socktype 0: every kind of socket, as socket.getaddrinfo(host, port) returns.
        // --trace narrates the lookup itself: it is the only call this program makes.
        std::vector<netlab::AddrInfo> found;
        try {
            found = netlab::resolve(host, service, 0);
        } catch (const netlab::ResolveError& e) {
            netlab::trace("getaddrinfo(" + host + ", " + service + ") failed: " + e.what());
            throw;
        }
        netlab::trace("getaddrinfo(" + host + ", " + service + ") = " + std::to_string(found.size()) + " results");
        for (const netlab::AddrInfo& ai : found) {
            std::cout << "(" << python_family(ai.family) << ", " << python_socktype(ai.socktype) << ", " << ai.protocol
                      << ", '', " << ai.endpoint.python() << ")\n";
        }
        return 0;
    });
}
