// sntp_client — asks time servers for the time over UDP (lecture 003, «UDP-клиент» and
// «Отправка на несколько хостов»), as a real SNTP client (RFC 4330).
//
// socket → sendto(each server) → recvfrom until every server answered or none did for
// --timeout (0.9 s, the lecture's select timeout). All requests leave through ONE socket, from
// ONE source port; recvfrom() tells which server each reply came from, and that source address
// is how a reply is matched to its server (`--servers a,b,c`). A reply counts only if it is a
// whole 48-byte packet, in server mode, and echoes in its originate field the transmit timestamp
// we sent — so a stray or forged datagram cannot pass for the answer.
//
// Watch for: UDP promises nothing. A request or its reply may be lost, and a closed port makes no
// error on this unconnected socket (see udp_connected_client): a server that does not answer is
// reported after the timeout, never waited for forever. The time printed is the reply's transmit
// timestamp (word 10) minus 2208988800, the seconds from 1900 to 1970, in local time (TZ).
//
// Run the pair:   ./sntp_server --port 12300                         # terminal 1
//                 ./sntp_client --host 127.0.0.1 --port 12300        # terminal 2
// On the Internet, as the lecture:  ./sntp_client     (2.ru.pool.ntp.org)
//                 ./sntp_client --servers 1.ru.pool.ntp.org,2.ru.pool.ntp.org,3.ru.pool.ntp.org
#include "ntp.hpp"
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <netinet/in.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxServers = 64;
constexpr std::size_t kMaxReported = 10;  // bad datagrams shown one by one; the rest are only counted

struct Server {
    std::string name;  // as given, for messages before it has an address
    std::string port;
    netlab::Endpoint address;  // where we send (IPv4 in ::ffff: form on a dual-stack socket)
    netlab::Endpoint shown;    // the address as resolved, for messages
    ntp::Timestamp sent = 0;   // our transmit timestamp T1: the reply must echo it
    std::string rejected;      // why its last reply was refused, if one was
};

// "host", "host:port", "[v6]:port" or a bare IPv6 address ("::1", whose colons are not a port).
Server parse_server(const std::string& item, std::uint16_t default_port)
{
    Server s{item, std::to_string(default_port), {}, {}, 0, {}};
    if (item.empty())
        throw netlab::UsageError("--servers has an empty name in it");
    if (item.front() == '[') {
        const auto close = item.find(']');
        if (close == std::string::npos || (close + 1 < item.size() && item[close + 1] != ':'))
            throw netlab::UsageError("--servers: cannot read '" + item + "' (write [ipv6]:port)");
        s.name = item.substr(1, close - 1);
        if (close + 1 < item.size())
            s.port = std::to_string(netlab::parse_number("servers port", item.substr(close + 2), 1, 65535));
    } else if (const auto colon = item.find(':'); colon != std::string::npos && item.find(':', colon + 1) == std::string::npos) {
        s.name = item.substr(0, colon);
        s.port = std::to_string(netlab::parse_number("servers port", item.substr(colon + 1), 1, 65535));
    }
    return s;
}

std::vector<Server> parse_servers(const std::string& list, std::uint16_t default_port)
{
    std::vector<Server> servers;
    std::size_t start = 0;
    for (;;) {
        const auto comma = list.find(',', start);
        servers.push_back(parse_server(list.substr(start, comma - start), default_port));
        if (servers.size() > kMaxServers)
            throw netlab::UsageError("--servers: at most " + std::to_string(kMaxServers) + " servers");
        if (comma == std::string::npos)
            return servers;
        start = comma + 1;
    }
}

// An IPv4 address as an IPv6 socket sees it (::ffff:a.b.c.d), for a socket that talks to both.
netlab::Endpoint v4_mapped(const netlab::Endpoint& v4)
{
    const auto* in = reinterpret_cast<const sockaddr_in*>(&v4.addr);
    netlab::Endpoint ep;
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ep.addr);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = in->sin_port;
    in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&in6->sin6_addr.s6_addr[12], &in->sin_addr, 4);
    ep.len = sizeof(sockaddr_in6);
    return ep;
}

bool same_address(const netlab::Endpoint& a, const netlab::Endpoint& b)
{
    return a.family() == b.family() && a.port() == b.port() && a.ip() == b.ip();
}

// Signed difference of two NTP timestamps in seconds. Subtracting the 64-bit fixed-point values
// first keeps full precision (a double of "seconds since 1900" would lose the microseconds).
double diff(ntp::Timestamp a, ntp::Timestamp b) { return static_cast<double>(static_cast<std::int64_t>(a - b)) / 4294967296.0; }

void print_reply(const netlab::Endpoint& from, const ntp::Packet& p, ntp::Timestamp t1, ntp::Timestamp t4)
{
    // RFC 4330 §5: T1 we sent, T2 the server received, T3 the server sent, T4 we received.
    const double delay = diff(t4, t1) - diff(p.transmit, p.receive);
    double offset = (diff(p.receive, t1) + diff(p.transmit, t4)) / 2;
    if (std::abs(offset) < 0.5e-6)
        offset = 0;  // would print as "-0.000000"
    char numbers[96];
    std::snprintf(numbers, sizeof numbers, "\toffset %+.6f s, round-trip delay %.6f s\n", offset, delay);
    std::cout << "Response received from: " << from.python() << "\n"
              << "\tTime=" << ntp::ctime(ntp::to_unix_seconds(p.transmit)) << "\n"
              << "\tleap " << int{p.leap} << " (" << ntp::leap_name(p.leap) << "), version " << int{p.version} << ", mode "
              << int{p.mode} << " (" << ntp::mode_name(p.mode) << "), stratum " << int{p.stratum} << "\n"
              << numbers;
}

// Waits at most timeout_ms for each next good reply, like the lecture's select() in a loop, and
// prints each. Datagrams that are not good replies do not extend the wait, so nothing can keep
// us here; only the first few of them are reported, so a peer flooding our port cannot flood
// the terminal either. Servers still in `waiting` afterwards gave no valid reply.
void collect_replies(int sock, std::vector<Server*>& waiting, int timeout_ms)
{
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    auto deadline = Clock::now() + timeout;
    std::size_t refused = 0;  // datagrams ignored or rejected
    const auto report = [&](const std::string& line) {
        if (++refused <= kMaxReported)
            std::cout << line << "\n";
    };
    while (!waiting.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            break;
        char data[1024];
        netlab::Endpoint from;
        std::size_t n = 0;
        try {
            n = lesson02::recv_from(sock, data, sizeof data, &from, static_cast<int>(left));
        } catch (const netlab::Timeout&) {
            break;
        }
        const ntp::Timestamp t4 = ntp::now();
        const std::string_view datagram(data, n);
        const auto reply = ntp::Packet::decode(datagram);
        // Several servers may share an address (two names for one host): the originate
        // timestamp then tells whose reply it is.
        Server* server = nullptr;
        for (Server* s : waiting)
            if (same_address(s->address, from) && (!server || (reply && reply->originate == s->sent)))
                server = s;
        if (!server) {
            report("Ignored " + std::to_string(n) + " bytes from " + from.python() + ": not a server we are waiting for");
            continue;
        }
        if (std::string why = ntp::reply_problem(datagram, reply, server->sent); !why.empty()) {
            report("Reply from " + server->shown.python() + " rejected: " + why);
            server->rejected = why;  // it stays in `waiting`: its genuine reply may still come
            continue;
        }
        print_reply(server->shown, *reply, server->sent, t4);
        std::erase(waiting, server);
        deadline = Clock::now() + timeout;
    }
    if (refused > kMaxReported)
        std::cout << "(" << refused - kMaxReported << " more datagrams ignored or rejected)\n";
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("sntp_client", "Asks SNTP servers for the time (lecture 003, RFC 4330)", "2.ru.pool.ntp.org", 123);
        cli.add()("servers", "ask several servers through one socket: a,b:port,[::1]:port (instead of --host)",
                  cxxopts::value<std::string>());
        cli.add_timeout(0.9);
        auto args = cli.parse(argc, argv);
        const bool several = args.count("servers") > 0;
        if (several && args.count("host"))
            throw netlab::UsageError("--servers and --host cannot be used together");
        std::vector<Server> servers = several ? parse_servers(args["servers"].as<std::string>(), cli.port())
                                              : std::vector<Server>{{cli.host(), std::to_string(cli.port()), {}, {}, 0, {}}};

        // Resolve every name first: the socket's family depends on what they resolve to.
        std::size_t failed = 0;
        std::vector<Server*> asked;
        bool v4 = false, v6 = false;
        for (Server& s : servers) {
            try {
                s.address = s.shown = netlab::resolve(s.name, s.port, SOCK_DGRAM).front().endpoint;
                (s.address.family() == AF_INET ? v4 : v6) = true;
                asked.push_back(&s);
            } catch (const netlab::ResolveError& e) {
                if (!several)
                    throw;  // the one server: an ordinary runtime error, one line on stderr
                std::cout << "Cannot ask " << s.name << ": " << e.what() << "\n";
                ++failed;
            }
        }
        if (asked.empty()) {
            std::cerr << "sntp_client: no server to ask\n";
            return 1;
        }
        // One socket for all: IPv4 servers only → AF_INET (as the lecture); otherwise one AF_INET6
        // socket that also reaches IPv4 addresses through their ::ffff: mapped form.
        const int family = v6 ? AF_INET6 : AF_INET;
        netlab::Fd sock = netlab::open_socket(family, SOCK_DGRAM);
        if (v4 && v6) {
            netlab::set_option(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            for (Server* s : asked)
                if (s->address.family() == AF_INET)
                    s->address = v4_mapped(s->address);
        }

        std::vector<Server*> waiting;
        for (Server* s : asked) {
            ntp::Packet request;  // LI 0, VN 3, mode 3: first byte 0x1b, as the lecture's '\x1b' + 47 * '\0'
            request.transmit = s->sent = ntp::now();
            const auto bytes = request.encode();
            try {
                netlab::send_to(sock.get(), std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                s->address);
                waiting.push_back(s);
            } catch (const netlab::SysError& e) {
                if (!several)
                    throw;
                std::cout << "Cannot ask " << s->shown.python() << ": " << e.what() << "\n";
                ++failed;
            }
        }

        collect_replies(sock.get(), waiting, cli.timeout_ms());

        for (const Server* s : waiting) {
            std::cout << "No " << (s->rejected.empty() ? "reply" : "valid reply") << " from " << s->shown.python() << " within "
                      << cli.timeout_ms() / 1000.0 << " s\n";
            ++failed;
        }
        if (failed > 0) {
            std::cerr << "sntp_client: " << failed << " of " << servers.size() << " servers gave no valid reply\n";
            return 1;
        }
        return 0;
    });
}
