// udp_connected_client — "UDP has no connection", and what connect() on a UDP socket changes
// (lecture 003, «UDP-клиент и метод connect»).
//
// Both halves of the lecture's experiment, against a port where nothing listens (lecture:
// miminet.ru:125; here 127.0.0.1:125 by default, so it works offline):
//   unconnected  socket → sendto → recvfrom. sendto() succeeds, nothing comes back, and no error
//                ever appears: the host did answer with an ICMP "port unreachable", but an
//                unconnected socket has no peer to blame it on, so the kernel drops it.
//   connected    socket → connect → send → recv. connect() sends nothing (it only fixes the peer
//                and picks our port at once); the same ICMP now matches the socket's peer, and
//                the next recv() fails with ECONNREFUSED — Python's "[Errno 111] Connection refused".
// Watch for: the local port appears only at sendto() (unconnected) or already at connect().
//
// Run:   ./udp_connected_client                         # both halves against 127.0.0.1:125
//        ./udp_connected_client --host ::1 --port 125   # the same over IPv6 (ICMPv6)
//        ./udp_thanks_server & ./udp_connected_client --port 12345   # an open port: both get replies
//        ./udp_print_server & ./udp_connected_client --port 5000     # open but silent: both time out
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <cstring>
#include <iostream>
#include <sstream>

namespace {

// The lecture sends its SNTP request there: 0x1b and 47 zero bytes.
const std::string kRequest = [] {
    std::string request(48, '\0');
    request[0] = '\x1b';
    return request;
}();

std::string seconds(int ms) { return (std::ostringstream() << ms / 1000.0).str() + " s"; }

void unconnected(const std::string& host, std::uint16_t port, int timeout_ms)
{
    auto [target, sock] = lesson02::udp_target(host, port);
    std::cout << "unconnected: local address before sendto: " << netlab::local_endpoint(sock.get()).str() << " (no port yet)\n";
    const std::size_t sent = netlab::send_to(sock.get(), kRequest, target);
    std::cout << "unconnected: sendto " << target.str() << ": " << sent << " bytes sent, no error\n";
    std::cout << "unconnected: local address after sendto: " << netlab::local_endpoint(sock.get()).str()
              << " (the kernel picked the port at sendto)\n";
    char reply[1024];
    netlab::Endpoint from;
    try {
        const std::size_t n = lesson02::recv_from(sock.get(), reply, sizeof reply, &from, timeout_ms);
        std::cout << "unconnected: recvfrom: " << n << " bytes from " << from.python() << ": something listens there\n";
    } catch (const netlab::Timeout&) {
        std::cout << "unconnected: recvfrom: no reply within " << seconds(timeout_ms)
                  << " and no error: the datagram was lost silently\n";
    }
}

void connected(const std::string& host, std::uint16_t port, int timeout_ms)
{
    auto [target, sock] = lesson02::udp_target(host, port);
    netlab::connect_to(sock.get(), target);
    std::cout << "connected: connect " << target.str() << ": no packet sent, local address "
              << netlab::local_endpoint(sock.get()).str() << " picked already\n";
    const std::size_t sent = netlab::send_some(sock.get(), kRequest.data(), kRequest.size(), timeout_ms);
    std::cout << "connected: send: " << sent << " bytes sent, no error\n";
    char reply[1024];
    try {
        const std::size_t n = netlab::recv_some(sock.get(), reply, sizeof reply, timeout_ms);
        std::cout << "connected: recv: " << n << " bytes: something listens there\n";
    } catch (const netlab::SysError& e) {
        std::cout << "connected: " << e.what() << ": the ICMP port unreachable reached this connected socket\n";
        // What the lecture's Python prints for the same error.
        std::cout << "Socket error: [Errno " << e.code() << "] " << std::strerror(e.code()) << "\n";
    } catch (const netlab::Timeout&) {
        std::cout << "connected: recv: no reply and no error within " << seconds(timeout_ms)
                  << " (something listens but did not answer, or the datagram, its answer or the ICMP error was lost)\n";
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("udp_connected_client",
                        "Sends to a closed UDP port from an unconnected and a connected socket (lecture 003)", "127.0.0.1", 125);
        cli.add()("mode", "both, unconnected or connected", cxxopts::value<std::string>()->default_value("both"));
        cli.add_timeout(0.9);
        auto args = cli.parse(argc, argv);
        const std::string mode = args["mode"].as<std::string>();
        if (mode != "both" && mode != "unconnected" && mode != "connected")
            throw netlab::UsageError("--mode must be both, unconnected or connected, not '" + mode + "'");

        if (mode != "connected")
            unconnected(cli.host(), cli.port(), cli.timeout_ms());
        if (mode != "unconnected")
            connected(cli.host(), cli.port(), cli.timeout_ms());
    });
}
