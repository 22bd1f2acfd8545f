// sniffer — every frame an interface sees, decoded, one line each as `tcpdump -n` prints it
// (lecture 003: «сырые сокеты часто применяются для реализации снифера, IDS...»).
//
// An AF_PACKET socket (SOCK_RAW, ETH_P_ALL) gets each frame whole: the Ethernet header, then
// IPv4/IPv6/ARP, then TCP/UDP/ICMP, exactly the bytes that crossed the wire. packets.cpp decodes
// them; this file only captures, filters and prints (or writes a pcap file tcpdump and Wireshark read).
// Watch for: the kernel's receive timestamp (SO_TIMESTAMPNS) is the one tcpdump prints too; on
// loopback a packet socket sees each packet twice, going out and coming in — like tcpdump
// (libpcap) we keep only the incoming copy. A frame whose length fields lie is printed as
// malformed and the capture goes on.
//
// Run:   sudo ./sniffer -i lo                                    # then ping 127.0.0.1 elsewhere
//        sudo ./sniffer -i lo --proto tcp --port 5000 -X         # one conversation, with hex
//        sudo ./sniffer -i lo -c 10 -w /tmp/lo.pcap && tshark -r /tmp/lo.pcap
//        sudo ip netns exec l06-r1 ./sniffer -i r1-r2           # the lab: packets crossing router1
#include "packets.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/time.h>

namespace {

struct Options {
    std::string interface;  // empty: all
    std::string proto, host;
    std::uint16_t port = 0;
    long count = 0;  // 0: until Ctrl-C
    bool hex = false;
    std::string write_file;
};

bool wanted(const lesson06::Frame& f, const Options& o)
{
    if (!o.proto.empty() && f.protocol != o.proto && f.network != o.proto)
        return false;
    if (o.port && f.src_port != o.port && f.dst_port != o.port)
        return false;
    if (!o.host.empty() && f.src != o.host && f.dst != o.host)
        return false;
    return true;
}

// The host filter in the form the decoder prints addresses (so "::0001" matches "::1").
std::string canonical_address(const std::string& text)
{
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1)
        return inet_ntop(AF_INET, buf, out, sizeof out);
    if (inet_pton(AF_INET6, text.c_str(), buf) == 1)
        return inet_ntop(AF_INET6, buf, out, sizeof out);
    throw netlab::UsageError("--host must be an IPv4 or IPv6 address, not '" + text + "'");
}

int sniff(const Options& o)
{
    netlab::Fd fd = netlab::open_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    int loopback = static_cast<int>(if_nametoindex("lo"));
    if (!o.interface.empty()) {
        const unsigned index = if_nametoindex(o.interface.c_str());
        if (index == 0)
            netlab::throw_sys("if_nametoindex(" + o.interface + ")");
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_protocol = htons(ETH_P_ALL);
        sll.sll_ifindex = static_cast<int>(index);
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
            netlab::throw_sys("bind(" + o.interface + ")");
        netlab::trace("bind(" + std::to_string(fd.get()) + ", " + o.interface + ") = 0");
    }
    // Nanoseconds, cut to microseconds as libpcap does, so our times are tcpdump's to the digit.
    netlab::set_option(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
    netlab::install_stop_handlers();

    std::ofstream pcap;
    if (!o.write_file.empty()) {
        pcap.open(o.write_file, std::ios::binary | std::ios::trunc);
        if (!pcap)
            netlab::throw_sys("open(" + o.write_file + ")");
        const auto header = lesson06::pcap_file_header();
        pcap.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
        pcap.flush();
    }
    // tcpdump's own words, on stderr: the line a test (or a person) waits for before sending.
    std::cerr << "listening on " << (o.interface.empty() ? "all interfaces" : o.interface)
              << ", link-type EN10MB (Ethernet), snapshot length " << lesson06::kPcapSnaplen << " bytes" << std::endl;

    std::vector<std::uint8_t> buf(lesson06::kPcapSnaplen);
    long shown = 0;
    try {
        while (o.count == 0 || shown < o.count) {
            netlab::wait_ready(fd.get(), POLLIN);
            sockaddr_ll from{};
            alignas(cmsghdr) char control[128];
            iovec iov{buf.data(), buf.size()};
            msghdr msg{};
            msg.msg_name = &from;
            msg.msg_namelen = sizeof from;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            // MSG_TRUNC: the return value is the frame's real length even when it did not fit.
            const ssize_t n = ::recvmsg(fd.get(), &msg, MSG_TRUNC | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN)
                    continue;
                netlab::throw_sys("recvmsg");
            }
            if (from.sll_pkttype == PACKET_OUTGOING && from.sll_ifindex == loopback)
                continue;  // the same packet comes back in on lo: show it once
            timespec ts{};
            clock_gettime(CLOCK_REALTIME, &ts);
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS)
                    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            const timeval tv{ts.tv_sec, ts.tv_nsec / 1000};
            const auto wire = static_cast<std::size_t>(n);
            const lesson06::Bytes frame{buf.data(), std::min(wire, buf.size())};
            lesson06::Frame f;
            if (from.sll_hatype == ARPHRD_ETHER || from.sll_hatype == ARPHRD_LOOPBACK) {
                f = lesson06::decode_ethernet(frame, wire);
            } else {  // no link-layer header (a tun device, say): the protocol comes from the socket
                f = lesson06::decode_network(ntohs(from.sll_protocol), frame);
            }
            if (!wanted(f, o))
                continue;
            ++shown;
            if (pcap.is_open()) {
                // Only Ethernet-framed packets fit LINKTYPE_ETHERNET; others are left out of the file.
                if (from.sll_hatype == ARPHRD_ETHER || from.sll_hatype == ARPHRD_LOOPBACK) {
                    const auto record = lesson06::pcap_record(tv.tv_sec, tv.tv_usec, frame, wire);
                    pcap.write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size()));
                    pcap.flush();
                    if (!pcap)
                        netlab::throw_sys("write(" + o.write_file + ")");
                }
                continue;
            }
            std::cout << lesson06::timestamp_text(tv.tv_sec, tv.tv_usec) << " " << f.line << "\n";
            if (o.hex)
                std::cout << lesson06::hex_dump(frame.subspan(std::min(f.network_offset, frame.size())));
            std::cout << std::flush;
        }
    } catch (const netlab::Stopped&) {
    }
    std::cerr << shown << " packets captured" << std::endl;
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("sniffer", "Every frame decoded, one line each as tcpdump -n prints it (lecture 003); needs root", "", 0);
        cli.add()                                                                                            //
            ("i,interface", "capture on this interface only (default: all)", cxxopts::value<std::string>())  //
            ("proto", "only tcp, udp, icmp, icmp6, arp, ip or ip6", cxxopts::value<std::string>())           //
            ("c,count", "stop after this many packets", cxxopts::value<std::string>())                       //
            ("X,hex", "hex and ASCII of each packet from its network header on, as tcpdump -X")              //
            ("w,write", "write the packets to this pcap file instead of printing them", cxxopts::value<std::string>());
        auto args = cli.parse(argc, argv);
        Options o;
        if (args.count("interface"))
            o.interface = args["interface"].as<std::string>();
        if (args.count("proto")) {
            o.proto = args["proto"].as<std::string>();
            if (o.proto != "tcp" && o.proto != "udp" && o.proto != "icmp" && o.proto != "icmp6" && o.proto != "arp" &&
                o.proto != "ip" && o.proto != "ip6")
                throw netlab::UsageError("--proto must be tcp, udp, icmp, icmp6, arp, ip or ip6, not '" + o.proto + "'");
        }
        if (!cli.host().empty())
            o.host = canonical_address(cli.host());
        o.port = cli.port();
        if (args.count("count"))
            o.count = netlab::parse_number("count", args["count"].as<std::string>(), 1, 1000000000);
        o.hex = args.count("hex") > 0;
        if (args.count("write"))
            o.write_file = args["write"].as<std::string>();
        return sniff(o);
    });
}
