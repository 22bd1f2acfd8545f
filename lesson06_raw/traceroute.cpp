// traceroute — the path to a host, one router per line (lecture 003's raw-socket topic).
//
// Each router that forwards a packet lowers its TTL; the one that brings it to 0 drops it and
// sends back ICMP "time exceeded", quoting the dropped packet's IP header and first 8 bytes. So:
// send probes with TTL 1, 2, 3...; the routers that answer are the path, in order; the
// destination itself answers the last probe with "port unreachable" (UDP probes to an unlikely
// port from 33434 up, as traceroute does) or an echo reply (-I: ICMP echo probes).
// Watch for: the answers arrive on a raw ICMP socket, which also gets every other ICMP message
// of the host: a probe's answer is found by the quote — the quoted UDP ports (or echo id and
// sequence) are the probe's own. --unprivileged does without the raw socket, as tracepath does:
// IP_RECVERR makes the kernel queue ICMP errors about our UDP socket's datagrams on its error
// queue, with the router's address (SO_EE_OFFENDER), for any user.
//
// Run:   sudo lesson06_raw/lab.sh up
//        sudo ip netns exec l06-client ./traceroute -n 10.61.3.2       # router1, router2, server
//        sudo ip netns exec l06-client ./traceroute -n -I 10.61.3.2    # ICMP echo probes
//        ip netns exec l06-client ./traceroute -n --unprivileged 10.61.3.2   # (as root, to enter the namespace)
#include "packets.hpp"
#include "raw.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <cstring>
#include <iostream>
#include <sstream>

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

namespace {

using lesson06::Clock;

struct Options {
    std::string host;
    bool numeric = false, icmp = false, unprivileged = false;
    int family = AF_UNSPEC;  // -4 / -6; otherwise getaddrinfo's first address
    int probes = 3, max_ttl = 30, first_ttl = 1;
    double wait_s = 5;
    std::uint16_t base_port = 33434;
};

// What came back for one probe.
struct Answer {
    netlab::Endpoint from;
    Clock::time_point when;
    bool reached = false;    // the destination answered: the trace is complete
    std::string annotation;  // " !H", " !N"... for an unreachable from the way
};

// traceroute's marks for "destination unreachable" codes.
std::string unreachable_mark(bool v6, int code)
{
    if (v6) {
        switch (code) {
        case 0: return " !N";
        case 1: return " !X";
        case 3: return " !H";
        case 4: return "";  // port unreachable: the destination itself
        default: return " !<" + std::to_string(code) + ">";
        }
    }
    switch (code) {
    case 0: return " !N";
    case 1: return " !H";
    case 2: return " !P";
    case 3: return "";
    case 13: return " !X";
    default: return " !<" + std::to_string(code) + ">";
    }
}

netlab::Endpoint endpoint_of(bool v6, const std::array<std::uint8_t, 16>& a)
{
    netlab::Endpoint ep;
    if (v6) {
        auto* s = reinterpret_cast<sockaddr_in6*>(&ep.addr);
        s->sin6_family = AF_INET6;
        std::memcpy(&s->sin6_addr, a.data(), 16);
        ep.len = sizeof *s;
    } else {
        auto* s = reinterpret_cast<sockaddr_in*>(&ep.addr);
        s->sin_family = AF_INET;
        std::memcpy(&s->sin_addr, a.data(), 4);
        ep.len = sizeof *s;
    }
    return ep;
}

class Tracer {
public:
    Tracer(const Options& o, const netlab::Endpoint& target) : o_(o), target_(target)
    {
        v6_ = target.family() == AF_INET6;
        const int family = target.family();
        if (o_.unprivileged) {
            udp_ = netlab::open_socket(family, SOCK_DGRAM);
            if (v6_)
                netlab::set_option(udp_.get(), IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR");
            else
                netlab::set_option(udp_.get(), IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR");
            return;
        }
        icmp_ = netlab::open_socket(family, SOCK_RAW, v6_ ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP});
        if (!o_.icmp) {
            // Probes from a UDP socket of our own: its port is in every quote that answers us.
            udp_ = netlab::open_socket(family, SOCK_DGRAM);
            netlab::Endpoint any;
            any.addr.ss_family = static_cast<sa_family_t>(family);
            any.len = v6_ ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
            netlab::bind_to(udp_.get(), any);
            local_port_ = netlab::local_endpoint(udp_.get()).port();
        }
        id_ = static_cast<std::uint16_t>(::getpid() & 0xFFFF);
    }

    // The probe's packet size as traceroute counts it: IP header + UDP/ICMP header + 32 bytes.
    int packet_size() const { return (v6_ ? 40 : 20) + 8 + kData; }

    // One probe on its way: what its answer must quote.
    struct Probe {
        std::uint16_t port;
        std::uint16_t sequence;
        Clock::time_point sent;
    };

    Probe send(int ttl, int index)
    {
        const int fd = (o_.icmp && !o_.unprivileged) ? icmp_.get() : udp_.get();
        if (v6_)
            netlab::set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
        else
            netlab::set_option(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
        const auto port = static_cast<std::uint16_t>(o_.base_port + index);
        const auto sequence = static_cast<std::uint16_t>(index + 1);
        std::string data(kData, '\0');
        for (int i = 0; i < kData; ++i)
            data[static_cast<std::size_t>(i)] = static_cast<char>(0x40 + i);  // traceroute's payload: "@ABC..."
        netlab::Endpoint to = target_;
        if (o_.icmp && !o_.unprivileged) {
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
            auto packet = lesson06::echo_request(v6_ ? lesson06::icmp6::kEchoRequest : lesson06::icmp::kEchoRequest, id_,
                                                 sequence, {bytes, data.size()});
            data.assign(reinterpret_cast<const char*>(packet.data()), packet.size());
        } else {
            set_port(to, port);
        }
        const auto sent = Clock::now();
        netlab::send_to(fd, data, to);
        return {port, sequence, sent};
    }

    std::optional<Answer> wait(const Probe& p)
    {
        const auto deadline = p.sent + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.wait_s));
        // Answers come to the raw ICMP socket; unprivileged, to the UDP socket's error queue.
        const int answers = o_.unprivileged ? udp_.get() : icmp_.get();
        while (auto r = lesson06::receive(answers, deadline, o_.unprivileged)) {
            auto answer = o_.unprivileged ? from_error_queue(*r, p.port) : from_icmp(*r, p.port, p.sequence);
            if (answer)
                return answer;
        }
        return std::nullopt;
    }

private:
    static constexpr int kData = 32;

    static void set_port(netlab::Endpoint& ep, std::uint16_t port)
    {
        if (ep.family() == AF_INET6)
            reinterpret_cast<sockaddr_in6*>(&ep.addr)->sin6_port = htons(port);
        else
            reinterpret_cast<sockaddr_in*>(&ep.addr)->sin_port = htons(port);
    }

    // An ICMP message from the raw socket: is it the answer to this probe?
    std::optional<Answer> from_icmp(const lesson06::Received& r, std::uint16_t port, std::uint16_t sequence)
    {
        std::string why;
        lesson06::Bytes bytes{r.data};
        netlab::Endpoint from = r.from;
        if (!v6_) {  // IPv4 raw sockets hand us the IP header: skip IHL * 4 bytes
            auto ip = lesson06::parse_ipv4(bytes, why);
            if (!ip)
                return std::nullopt;
            bytes = ip->payload;
        }
        auto m = lesson06::parse_icmp(bytes, why);
        if (!m)
            return std::nullopt;
        const bool echo_reply = v6_ ? m->type == lesson06::icmp6::kEchoReply : m->type == lesson06::icmp::kEchoReply;
        if (echo_reply) {
            if (!o_.icmp || m->id != id_ || m->sequence != sequence || from.ip() != target_.ip())
                return std::nullopt;
            return Answer{from, r.when, true, ""};
        }
        const bool exceeded = v6_ ? m->type == lesson06::icmp6::kTimeExceeded : m->type == lesson06::icmp::kTimeExceeded;
        const bool unreachable = v6_ ? m->type == lesson06::icmp6::kUnreachable : m->type == lesson06::icmp::kUnreachable;
        if (!exceeded && !unreachable)
            return std::nullopt;
        auto q = lesson06::parse_quoted(m->body, v6_, why);
        if (!q || endpoint_of(v6_, q->dst).ip() != target_.ip()) {
            netlab::trace("ignored: an ICMP error about another packet" + (q ? "" : ": " + why));
            return std::nullopt;
        }
        if (o_.icmp) {
            if (q->protocol != (v6_ ? 58 : 1) || q->icmp_id != id_ || q->icmp_sequence != sequence)
                return std::nullopt;
        } else if (q->protocol != 17 || q->src_port != local_port_ || q->dst_port != port) {
            return std::nullopt;
        }
        return classify(from, r.when, exceeded, m->code);
    }

    // An error-queue entry (--unprivileged): the kernel matched it to our socket already; the
    // address it gives back is where the datagram went, port included — that says which probe.
    std::optional<Answer> from_error_queue(const lesson06::Received& r, std::uint16_t port)
    {
        if (!r.queued_error) {
            // A datagram back: something listens on that port of the destination. Done too.
            if (r.from.ip() == target_.ip())
                return Answer{r.from, r.when, true, ""};
            return std::nullopt;
        }
        const auto& e = r.error;
        if ((e.ee_origin != SO_EE_ORIGIN_ICMP && e.ee_origin != SO_EE_ORIGIN_ICMP6) || r.from.port() != port)
            return std::nullopt;
        const bool exceeded = e.ee_type == (v6_ ? lesson06::icmp6::kTimeExceeded : lesson06::icmp::kTimeExceeded);
        const bool unreachable = e.ee_type == (v6_ ? lesson06::icmp6::kUnreachable : lesson06::icmp::kUnreachable);
        if (!exceeded && !unreachable)
            return std::nullopt;
        return classify(r.offender, r.when, exceeded, e.ee_code);
    }

    Answer classify(const netlab::Endpoint& from, Clock::time_point when, bool exceeded, int code)
    {
        if (exceeded)
            return {from, when, false, ""};
        const bool at_destination = from.ip() == target_.ip();
        const std::string mark = unreachable_mark(v6_, code);
        // Port unreachable from the destination is the normal end; any other unreachable ends it too.
        return {from, when, true, mark.empty() && !at_destination ? " !" : mark};
    }

    Options o_;
    netlab::Endpoint target_;
    bool v6_ = false;
    netlab::Fd icmp_, udp_;
    std::uint16_t local_port_ = 0, id_ = 0;
};

std::string address_text(const netlab::Endpoint& ep, bool numeric)
{
    const std::string ip = ep.ip();
    if (numeric)
        return ip;
    char name[NI_MAXHOST];
    if (getnameinfo(ep.sa(), ep.len, name, sizeof name, nullptr, 0, 0) != 0)
        return ip + " (" + ip + ")";
    return std::string(name) + " (" + ip + ")";
}

int run_trace(const Options& o)
{
    // A name that does not resolve is a runtime error like any other: one line, status 1.
    const netlab::Endpoint target = lesson06::resolve_host(o.host, o.family);
    std::optional<Tracer> tracer;
    try {
        tracer.emplace(o, target);
    } catch (const netlab::SysError& e) {
        if (e.code() != EPERM && e.code() != EACCES)
            throw;
        std::cerr << "traceroute: " << e.what() << "\n"
                  << "traceroute: a raw socket needs root (CAP_NET_RAW); try --unprivileged\n";
        return 2;
    }
    netlab::install_stop_handlers();
    std::cout << "traceroute to " << o.host << " (" << target.ip() << "), " << o.max_ttl << " hops max, " << tracer->packet_size()
              << " byte packets\n";
    for (int ttl = o.first_ttl; ttl <= o.max_ttl; ++ttl) {
        char hop[8];
        std::snprintf(hop, sizeof hop, "%2d ", ttl);
        std::string last;
        bool done = false;
        for (int q = 0; q < o.probes; ++q) {
            const auto probe = tracer->send(ttl, (ttl - 1) * o.probes + q);
            if (q == 0)  // the hop's number once its first probe is out: a failed sendto() leaves no stub line
                std::cout << hop << std::flush;
            auto a = tracer->wait(probe);
            if (!a) {
                std::cout << " *" << std::flush;
                continue;
            }
            if (a->from.ip() != last) {  // the address once per hop, again only if it changes
                last = a->from.ip();
                std::cout << " " << address_text(a->from, o.numeric);
            }
            char rtt[32];
            std::snprintf(rtt, sizeof rtt, "  %.3f ms", lesson06::ms_between(probe.sent, a->when));
            std::cout << rtt << a->annotation << std::flush;
            done = done || a->reached;
        }
        std::cout << "\n";
        if (done)
            break;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("traceroute", "The routers on the way to a host: TTL 1, 2, 3... and who answers (lecture 003)",
                        "127.0.0.1", 33434);
        cli.add()                                                                                                     //
            ("n", "print addresses only, no reverse lookups")                                                         //
            ("4", "IPv4 only: a name with both kinds of address is traced over IPv4")                                 //
            ("6", "IPv6 only")                                                                                        //
            ("I,icmp", "ICMP echo probes instead of UDP")                                                             //
            ("q,queries", "probes per hop", cxxopts::value<std::string>()->default_value("3"))                        //
            ("m,max-hops", "largest TTL", cxxopts::value<std::string>()->default_value("30"))                         //
            ("f,first", "first TTL", cxxopts::value<std::string>()->default_value("1"))                               //
            ("w,wait", "seconds to wait for each probe's answer", cxxopts::value<std::string>()->default_value("5"))  //
            ("unprivileged", "no raw socket: UDP probes and IP_RECVERR, as tracepath (no root needed)");
        cli.positional({"host"}, "HOST");
        auto args = cli.parse(argc, argv);
        Options o;
        o.host = cli.host();
        o.numeric = args.count("n") > 0;
        o.icmp = args.count("icmp") > 0;
        if (args.count("4") && args.count("6"))
            throw netlab::UsageError("-4 and -6 exclude each other");
        o.family = args.count("4") ? AF_INET : args.count("6") ? AF_INET6 : AF_UNSPEC;
        o.unprivileged = args.count("unprivileged") > 0;
        if (o.icmp && o.unprivileged)
            throw netlab::UsageError("--icmp needs the raw socket; --unprivileged sends UDP probes");
        o.probes = static_cast<int>(netlab::parse_number("queries", args["queries"].as<std::string>(), 1, 10));
        o.max_ttl = static_cast<int>(netlab::parse_number("max-hops", args["max-hops"].as<std::string>(), 1, 255));
        o.first_ttl = static_cast<int>(netlab::parse_number("first", args["first"].as<std::string>(), 1, o.max_ttl));
        const std::string wait = args["wait"].as<std::string>();
        std::size_t used = 0;
        try {
            o.wait_s = std::stod(wait, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != wait.size() || !(o.wait_s > 0 && o.wait_s <= 60))
            throw netlab::UsageError("--wait must be a number of seconds above 0 and at most 60, not '" + wait + "'");
        o.base_port = cli.port();
        if (o.base_port == 0)
            throw netlab::UsageError("--port must be 1 to 65535");
        return run_trace(o);
    });
}
