// ping — ICMP echo from a raw socket (lecture 003, «Raw-socket - ICMP», ping-1.py).
//
// The lecture's Pinger: an echo request (type 8, code 0, id = pid & 0xFFFF) whose payload starts
// with the send time, the RFC 1071 checksum over it, sendto(); then recvfrom() until the echo reply
// comes back, skip the IP header the raw socket hands us, unpack the ICMP header, and subtract
// the time in the payload from now. Done right where the lecture is sloppy:
//   - the IP header's length is read from its IHL field (options make it longer than 20 bytes);
//   - the reply's checksum is verified, and its payload compared with what we sent;
//   - the sequence number counts up, and a reply must match both our id and the sequence we wait for:
//     a raw socket gets *every* ICMP message the host receives — our own requests on loopback,
//     other programs' replies, other hosts' errors — so everything else is ignored;
//   - "time to live exceeded" and "destination unreachable" that quote our request are reported.
// Watch for: without CAP_NET_RAW the raw socket is refused; Linux then offers the ICMP datagram
// socket (SOCK_DGRAM + IPPROTO_ICMP, for groups in net.ipv4.ping_group_range), where the kernel
// writes the id, hides the IP header, and delivers only our replies.
//
// Run:   sudo ./ping 127.0.0.1                 # the lecture's output, 4 probes
//        sudo ./ping --style iputils -c 3 ::1  # as iputils ping prints it, over ICMPv6
//        sudo ./ping --style iputils -t 1 10.61.3.2   # in the lab: "Time to live exceeded" from router1
#include "packets.hpp"
#include "raw.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

namespace {

using lesson06::Clock;

struct Options {
    std::string host;
    bool iputils = false;
    long count = 4;
    double interval_s = 0, timeout_s = 2;
    long size = 192;
    int ttl = -1;
    bool datagram_only = false;
};

// What one received message means for us.
struct Event {
    enum Kind { ignored, reply, error } kind = ignored;
    std::uint16_t sequence = 0;
    int ttl = -1;
    std::size_t bytes = 0;  // ICMP message length, as ping prints it
    std::string from, text;
    Clock::time_point sent;
};

// "router2 (10.61.2.2)" from a reverse lookup, or the bare address when names are not wanted or known.
std::string source_text(const std::string& ip, bool named)
{
    if (!named)
        return ip;
    netlab::Endpoint ep;
    try {
        ep = lesson06::resolve_host(ip);
    } catch (const netlab::ResolveError&) {
        return ip;
    }
    char name[NI_MAXHOST];
    if (getnameinfo(ep.sa(), ep.len, name, sizeof name, nullptr, 0, NI_NAMEREQD) != 0)
        return ip;
    return std::string(name) + " (" + ip + ")";
}

std::string seconds_text(double s) { return (std::ostringstream() << s).str(); }

std::string rtt_text(double ms)  // iputils: fewer decimals as the time grows
{
    char t[32];
    std::snprintf(t, sizeof t, ms < 1 ? "%.3f" : ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
    return t;
}

class Pinger {
public:
    Pinger(Options o, netlab::Endpoint target, lesson06::OpenedIcmp socket)
        : o_(std::move(o)), target_(target), fd_(std::move(socket.fd)), kind_(socket.kind)
    {
        v6_ = target_.family() == AF_INET6;
        const int fd = fd_.get();
        if (v6_) {
            netlab::set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            if (o_.ttl >= 0)
                netlab::set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, o_.ttl, "IPV6_UNICAST_HOPS");
        } else if (o_.ttl >= 0) {
            netlab::set_option(fd, IPPROTO_IP, IP_TTL, o_.ttl, "IP_TTL");
        }
        if (kind_ == lesson06::IcmpSocket::datagram) {
            // No IP header here: ask for the TTL as ancillary data, and for ICMP errors on the error queue.
            if (v6_) {
                netlab::set_option(fd, IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR");
            } else {
                netlab::set_option(fd, IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
                netlab::set_option(fd, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR");
            }
        }
        id_ = static_cast<std::uint16_t>(::getpid() & 0xFFFF);
    }

    // Sends echo request `sequence`; remembers what it carried to check the reply against.
    void send(std::uint16_t sequence)
    {
        std::vector<std::uint8_t> payload(static_cast<std::size_t>(o_.size), 'Q');
        const auto now = Clock::now();
        // The lecture's struct.pack("d", time.time()): the send time as a double, in our own byte
        // order — only we read it back. (A monotonic clock: the wall clock may jump.)
        const double stamp = std::chrono::duration<double>(now.time_since_epoch()).count();
        if (payload.size() >= sizeof stamp)
            std::memcpy(payload.data(), &stamp, sizeof stamp);
        auto packet = lesson06::echo_request(v6_ ? lesson06::icmp6::kEchoRequest : lesson06::icmp::kEchoRequest, id_, sequence,
                                             payload);
        sent_[sequence] = {now, payload};
        netlab::send_to(fd_.get(), {reinterpret_cast<const char*>(packet.data()), packet.size()}, target_);
    }

    // Waits until `deadline` for the reply to (or an error about) `sequence`.
    std::optional<Event> wait_for(std::uint16_t sequence, Clock::time_point deadline)
    {
        while (auto r = lesson06::receive(fd_.get(), deadline, kind_ == lesson06::IcmpSocket::datagram)) {
            Event e = interpret(*r);
            if (e.kind != Event::ignored && e.sequence == sequence)
                return e;
            if (e.kind != Event::ignored)
                netlab::trace("ignored: a late answer to icmp_seq=" + std::to_string(e.sequence));
        }
        return std::nullopt;
    }

    Clock::time_point sent_at(std::uint16_t sequence) { return sent_[sequence].first; }
    // Done with this probe: a reply that still comes is "late" and ignored. Keeps memory bounded
    // however large -c and -s are.
    void forget(std::uint16_t sequence) { sent_.erase(sequence); }

private:
    Event interpret(const lesson06::Received& r)
    {
        Event e;
        std::string why;
        if (r.queued_error)
            return interpret_queued(r);
        lesson06::Bytes icmp_bytes{r.data};
        e.ttl = r.ttl;
        e.from = r.from.ip();
        if (!v6_ && kind_ == lesson06::IcmpSocket::raw) {
            // A raw IPv4 socket returns the IP header too; its length is IHL * 4, not always 20.
            auto ip = lesson06::parse_ipv4(icmp_bytes, why);
            if (!ip)
                return ignore("not an IPv4 packet: " + why);
            e.ttl = ip->ttl;
            e.from = lesson06::ipv4_text(ip->src);
            icmp_bytes = ip->payload;
        }
        auto m = lesson06::parse_icmp(icmp_bytes, why);
        if (!m)
            return ignore(why);
        e.bytes = icmp_bytes.size();
        const bool reply = v6_ ? m->type == lesson06::icmp6::kEchoReply : m->type == lesson06::icmp::kEchoReply;
        const bool request = v6_ ? m->type == lesson06::icmp6::kEchoRequest : m->type == lesson06::icmp::kEchoRequest;
        if (request)
            return ignore("an echo request (our own, seen on loopback, or someone pinging us)");
        if (reply) {
            if (e.from != target_.ip())
                return ignore("an echo reply from " + e.from + ", not from our target");
            // On a datagram socket the kernel chose the id and delivers only our replies.
            if (kind_ == lesson06::IcmpSocket::raw && m->id != id_)
                return ignore("an echo reply for id " + std::to_string(m->id) + " (another ping)");
            // ICMPv6's checksum covers a pseudo-header with the addresses; the kernel verifies it
            // before any socket sees the message. IPv4's covers the ICMP message alone: ours to check.
            if (!v6_ && lesson06::inet_checksum(m->whole) != 0)
                return ignore("an echo reply with a bad checksum");
            auto it = sent_.find(m->sequence);
            if (it == sent_.end())
                return ignore("an echo reply to a sequence we never sent");
            if (!std::equal(m->body.begin(), m->body.end(), it->second.second.begin(), it->second.second.end()))
                return ignore("an echo reply whose data differs from what we sent");
            e.kind = Event::reply;
            e.sequence = m->sequence;
            e.sent = it->second.first;
            if (m->body.size() >= sizeof(double)) {  // the lecture's way: the send time travelled in the payload
                double stamp;
                std::memcpy(&stamp, m->body.data(), sizeof stamp);
                e.sent = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(stamp)));
            }
            return e;
        }
        const bool error = v6_ ? (m->type == lesson06::icmp6::kUnreachable || m->type == lesson06::icmp6::kTimeExceeded)
                               : (m->type == lesson06::icmp::kUnreachable || m->type == lesson06::icmp::kTimeExceeded);
        if (!error)
            return ignore("ICMP type " + std::to_string(m->type));
        auto q = lesson06::parse_quoted(m->body, v6_, why);
        if (!q)
            return ignore("an ICMP error whose quote cannot be read: " + why);
        const std::string quoted_dst = v6_ ? lesson06::ipv6_text(q->dst)
                                           : lesson06::ipv4_text({q->dst[0], q->dst[1], q->dst[2], q->dst[3]});
        if (q->protocol != (v6_ ? 58 : 1) || q->icmp_id != id_ || quoted_dst != target_.ip() || !sent_.count(q->icmp_sequence))
            return ignore("an ICMP error about someone else's packet");
        e.kind = Event::error;
        e.sequence = q->icmp_sequence;
        e.text = v6_ ? lesson06::icmp6_error_text(m->type, m->code) : lesson06::icmp_error_text(m->type, m->code);
        return e;
    }

    // The datagram socket's error queue: the kernel already matched the error to our socket; the
    // data is the request we sent (its ICMP header, with the kernel's id, and our sequence).
    Event interpret_queued(const lesson06::Received& r)
    {
        std::string why;
        auto m = lesson06::parse_icmp(r.data, why);
        const bool icmp_origin = r.error.ee_origin == SO_EE_ORIGIN_ICMP || r.error.ee_origin == SO_EE_ORIGIN_ICMP6;
        if (!m || !icmp_origin || !sent_.count(m->sequence))
            return ignore("an error-queue entry that is not an ICMP error about our request");
        Event e;
        e.kind = Event::error;
        e.sequence = m->sequence;
        e.from = r.offender.ip();
        e.text = v6_ ? lesson06::icmp6_error_text(r.error.ee_type, r.error.ee_code)
                     : lesson06::icmp_error_text(r.error.ee_type, r.error.ee_code);
        return e;
    }

    Event ignore(const std::string& what)
    {
        netlab::trace("ignored: " + what);
        return {};
    }

    Options o_;
    netlab::Endpoint target_;
    netlab::Fd fd_;
    lesson06::IcmpSocket kind_;
    bool v6_ = false;
    std::uint16_t id_ = 0;
    std::map<std::uint16_t, std::pair<Clock::time_point, std::vector<std::uint8_t>>> sent_;
};

struct Stats {
    long sent = 0, received = 0, errors = 0;
    std::vector<double> rtts;
};

int run_ping(const Options& o)
{
    const bool lecture = !o.iputils;
    if (lecture)
        std::cout << "Ping to " << o.host << "...\n";  // the lecture prints it before opening the socket
    const int family_hint = o.host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    // Resolving first would tell us the family, but the lecture checks privilege first; a name that
    // resolves to IPv6 only is retried with an ICMPv6 socket below.
    auto socket = lesson06::open_icmp(family_hint, o.datagram_only);
    if (!socket) {
        std::cout << "ICMP messages can only be sent from root user processes\n";
        return 2;
    }
    netlab::Endpoint target;
    try {
        target = lesson06::resolve_host(o.host);
    } catch (const netlab::ResolveError& e) {
        if (lecture)
            std::cout << "Ping failed. (socket error: '" << gai_strerror(e.code()) << "')\n";
        else
            std::cerr << "ping: " << o.host << ": " << gai_strerror(e.code()) << "\n";
        return lecture ? 1 : 2;
    }
    if (target.family() != family_hint) {
        socket = lesson06::open_icmp(target.family(), o.datagram_only);
        if (!socket) {
            std::cout << "ICMP messages can only be sent from root user processes\n";
            return 2;
        }
    }
    if (socket->kind == lesson06::IcmpSocket::datagram)
        netlab::trace("no raw socket allowed: using the unprivileged ICMP datagram socket");
    netlab::install_stop_handlers();  // Ctrl-C ends the run and still prints the statistics

    // Given a name, iputils names the replies' source too ("router2 (10.61.2.2)"); given an address, not.
    const bool named = target.ip() != o.host;
    Pinger pinger(o, target, std::move(*socket));
    Stats st;
    const auto started = Clock::now();
    const auto icmp_bytes = static_cast<std::size_t>(o.size) + 8;
    if (o.iputils) {
        if (target.family() == AF_INET6)
            std::cout << "PING " << o.host << "(" << target.ip() << ") " << o.size << " data bytes\n";
        else
            std::cout << "PING " << o.host << " (" << target.ip() << ") " << o.size << "(" << icmp_bytes + 20
                      << ") bytes of data.\n";
    }
    try {
        for (long i = 1; i <= o.count; ++i) {
            const auto sequence = static_cast<std::uint16_t>(i);
            if (lecture && i > 1)
                std::cout << "Ping to " << o.host << "...\n";
            pinger.send(sequence);
            ++st.sent;
            const auto sent = pinger.sent_at(sequence);
            auto event = pinger.wait_for(
                sequence, sent + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_s)));
            if (!event) {
                if (lecture)
                    std::cout << "Ping failed. (timeout within " << seconds_text(o.timeout_s) << "sec.)\n";
            } else if (event->kind == Event::error) {
                ++st.errors;
                if (lecture)
                    std::cout << "Ping failed. (" << event->text << " from " << event->from << ")\n";
                else
                    std::cout << "From " << event->from << " icmp_seq=" << sequence << " " << event->text << "\n";
            } else {
                ++st.received;
                const double ms = lesson06::ms_between(event->sent, Clock::now());
                st.rtts.push_back(ms);
                if (lecture) {
                    char t[32];
                    std::snprintf(t, sizeof t, "%0.4f", ms);
                    std::cout << "Get pong in " << t << "ms\n";
                } else {
                    std::cout << event->bytes << " bytes from " << source_text(event->from, named) << ": icmp_seq=" << sequence;
                    if (event->ttl >= 0)
                        std::cout << " ttl=" << event->ttl;
                    std::cout << " time=" << rtt_text(ms) << " ms\n";
                }
            }
            pinger.forget(sequence);
            // The next probe goes `interval` after this one was sent (at once in the lecture).
            if (i < o.count) {
                const auto next = sent + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.interval_s));
                while (Clock::now() < next)
                    netlab::wait_ready(
                        -1, 0,
                        static_cast<int>(std::max<long>(
                            1, std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count())));
            }
        }
    } catch (const netlab::Stopped&) {
        // Ctrl-C: report what we have, as ping does.
    }
    const double loss = st.sent ? 100.0 * static_cast<double>(st.sent - st.received) / static_cast<double>(st.sent) : 0;
    double min = 0, max = 0, avg = 0, mdev = 0;
    if (!st.rtts.empty()) {
        min = *std::min_element(st.rtts.begin(), st.rtts.end());
        max = *std::max_element(st.rtts.begin(), st.rtts.end());
        double sum = 0, sum2 = 0;
        for (double r : st.rtts) {
            sum += r;
            sum2 += r * r;
        }
        avg = sum / static_cast<double>(st.rtts.size());
        mdev = std::sqrt(std::max(0.0, sum2 / static_cast<double>(st.rtts.size()) - avg * avg));
    }
    char line[160];
    if (o.iputils) {
        std::cout << "\n--- " << o.host << " ping statistics ---\n";
        std::cout << st.sent << " packets transmitted, " << st.received << " received, ";
        if (st.errors)
            std::cout << "+" << st.errors << " errors, ";
        std::snprintf(line, sizeof line, "%g%% packet loss, time %.0fms\n", loss, lesson06::ms_between(started, Clock::now()));
        std::cout << line;
        if (!st.rtts.empty()) {
            std::snprintf(line, sizeof line, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", min, avg, max, mdev);
            std::cout << line;
        } else {
            std::cout << "\n";  // iputils ends a run without replies with an empty line
        }
    } else {
        std::snprintf(line, sizeof line, "%ld sent, %ld received, %g%% lost", st.sent, st.received, loss);
        std::cout << "Ping statistics for " << o.host << ": " << line;
        if (!st.rtts.empty()) {
            std::snprintf(line, sizeof line, ", rtt min/avg/max %0.4f/%0.4f/%0.4f ms", min, avg, max);
            std::cout << line;
        }
        std::cout << "\n";
    }
    return st.received > 0 ? 0 : 1;
}

double parse_seconds(const std::string& name, const std::string& text, double min, double max)
{
    std::size_t used = 0;
    double v = -1;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || !(v >= min && v <= max))
        throw netlab::UsageError("--" + name + " must be a number of seconds from " + seconds_text(min) + " to " +
                                 seconds_text(max) + ", not '" + text + "'");
    return v;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("ping", "ICMP echo from a raw socket (lecture 003, ping-1.py); needs root or ping_group_range",
                        "127.0.0.1", 0);
        cli.add()  //
            ("style", "output: lecture (ping-1.py's lines) or iputils (as Linux's ping prints it)",
             cxxopts::value<std::string>()->default_value("lecture"))                                           //
            ("c,count", "echo requests to send", cxxopts::value<std::string>()->default_value("4"))             //
            ("i,interval", "seconds between requests (lecture: 0, iputils: 1)", cxxopts::value<std::string>())  //
            ("W,timeout", "seconds to wait for each reply", cxxopts::value<std::string>()->default_value("2"))  //
            ("s,size", "payload bytes (lecture: 192, iputils: 56)", cxxopts::value<std::string>())              //
            ("t,ttl", "time to live (IPv6: hop limit) of the requests", cxxopts::value<std::string>())          //
            ("unprivileged", "skip the raw socket: use the ICMP datagram socket (ping_group_range)");
        cli.positional({"host"}, "[HOST]");
        auto args = cli.parse(argc, argv);
        Options o;
        o.host = cli.host();
        const std::string style = args["style"].as<std::string>();
        if (style != "lecture" && style != "iputils")
            throw netlab::UsageError("--style must be lecture or iputils, not '" + style + "'");
        o.iputils = style == "iputils";
        o.count = netlab::parse_number("count", args["count"].as<std::string>(), 1, 100000);
        o.interval_s = args.count("interval") ? parse_seconds("interval", args["interval"].as<std::string>(), 0, 3600)
                                              : (o.iputils ? 1.0 : 0.0);
        o.timeout_s = parse_seconds("timeout", args["timeout"].as<std::string>(), 0.001, 3600);
        o.size = args.count("size") ? netlab::parse_number("size", args["size"].as<std::string>(), 0, 65507)
                                    : (o.iputils ? 56 : 192);
        if (args.count("ttl"))
            o.ttl = static_cast<int>(netlab::parse_number("ttl", args["ttl"].as<std::string>(), 1, 255));
        o.datagram_only = args.count("unprivileged") > 0;
        return run_ping(o);
    });
}
