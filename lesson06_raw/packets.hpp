// lesson06_raw/packets.hpp — what is inside a packet: the headers ping, traceroute and the
// sniffer read, decoded from raw bytes without ever reading past them.
//
// Everything here is pure (no sockets), so the fuzz targets in tests/fuzz/ call exactly the code
// the programs run. Every decoder takes the bytes that were really captured and checks each
// length field (IHL, total length, TCP data offset, UDP length...) against them: a lying header
// becomes an error string, never an out-of-bounds read.
//
// Byte order: multi-byte fields are returned in host order; addresses stay as bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lesson06 {

using Bytes = std::span<const std::uint8_t>;

// RFC 1071: the one's-complement sum of 16-bit words, complemented. A header that carries its
// own checksum sums to 0 (inet_checksum() == 0) when it is intact. `initial` adds a pseudo-header.
std::uint16_t inet_checksum(Bytes data, std::uint32_t initial = 0);

// ---- IPv4 (RFC 791) ---------------------------------------------------------------------------
struct Ipv4 {
    std::uint8_t header_length = 0;  // IHL * 4: 20 without options, up to 60
    std::uint8_t tos = 0, ttl = 0, protocol = 0;
    std::uint16_t total_length = 0, id = 0;
    bool dont_fragment = false, more_fragments = false;
    std::uint16_t fragment_offset = 0;  // in bytes
    bool checksum_ok = false;
    std::array<std::uint8_t, 4> src{}, dst{};
    Bytes payload;           // after the header, cut to total_length (and to what was captured)
    bool truncated = false;  // total_length promises more than was captured
};
// nullopt with `why` set when even the header cannot be read: too short, version not 4, IHL < 5
// or past the captured bytes. A total_length longer than the capture is `truncated`, not an error.
std::optional<Ipv4> parse_ipv4(Bytes data, std::string& why);

// ---- IPv6 (RFC 8200): the fixed header; extension headers are not followed ------------------
struct Ipv6 {
    std::uint8_t traffic_class = 0, next_header = 0, hop_limit = 0;
    std::uint32_t flow_label = 0;
    std::uint16_t payload_length = 0;
    std::array<std::uint8_t, 16> src{}, dst{};
    Bytes payload;
    bool truncated = false;
};
std::optional<Ipv6> parse_ipv6(Bytes data, std::string& why);

std::string ipv4_text(const std::array<std::uint8_t, 4>& a);
std::string ipv6_text(const std::array<std::uint8_t, 16>& a);

// ---- ICMP (RFC 792) and ICMPv6 (RFC 4443) ---------------------------------------------------------
struct Icmp {
    std::uint8_t type = 0, code = 0;
    std::uint16_t checksum = 0;
    std::uint16_t id = 0, sequence = 0;  // bytes 4-7, meaningful for echo request/reply
    Bytes body;                          // after the 8-byte header
    Bytes whole;                         // the whole message, for checksum verification
};
std::optional<Icmp> parse_icmp(Bytes data, std::string& why);

namespace icmp {
inline constexpr std::uint8_t kEchoReply = 0, kUnreachable = 3, kEchoRequest = 8, kTimeExceeded = 11;
}
namespace icmp6 {
inline constexpr std::uint8_t kUnreachable = 1, kTooBig = 2, kTimeExceeded = 3, kEchoRequest = 128, kEchoReply = 129;
}

// An echo request: 8-byte header, checksum filled in over header + payload (IPv4; for ICMPv6
// the kernel fills the checksum in, since it covers a pseudo-header with addresses we do not pick).
std::vector<std::uint8_t> echo_request(std::uint8_t type, std::uint16_t id, std::uint16_t sequence, Bytes payload);

// "Time to live exceeded", "Destination Host Unreachable"... as iputils ping names them.
std::string icmp_error_text(std::uint8_t type, std::uint8_t code);
std::string icmp6_error_text(std::uint8_t type, std::uint8_t code);

// ---- the packet quoted inside an ICMP error ---------------------------------------------------
// RFC 792: an error carries the offending datagram's IP header and at least its first 8 bytes:
// enough for UDP's ports or ICMP's id and sequence, which is how traceroute and ping find the
// probe an error is about.
struct Quoted {
    std::uint8_t protocol = 0;                  // of the quoted datagram: 1 ICMP, 17 UDP, 6 TCP...
    std::array<std::uint8_t, 16> src{}, dst{};  // IPv4 addresses use the first 4 bytes
    bool v6 = false;
    std::uint16_t src_port = 0, dst_port = 0;  // UDP/TCP
    std::uint8_t icmp_type = 0;                // ICMP: the quoted echo request's type, id, sequence
    std::uint16_t icmp_id = 0, icmp_sequence = 0;
};
// body is an ICMP (v6 = false) or ICMPv6 (v6 = true) error's body after its 8-byte header.
std::optional<Quoted> parse_quoted(Bytes body, bool v6, std::string& why);

// ---- the sniffer's decoder: one frame → one line, as `tcpdump -n` prints it -------------------
struct Frame {
    std::string line;        // without the timestamp: "IP 127.0.0.1.5000 > 127.0.0.1.40000: Flags [S.], ..."
    bool malformed = false;  // some length field lied; `line` says which
    // For the filters: what was found (empty/0 when absent).
    std::string network;   // "ip", "ip6", "arp" or "ether" (anything else)
    std::string protocol;  // "tcp", "udp", "icmp", "icmp6", "arp", or the network layer's name
    std::string src, dst;  // addresses as printed
    std::uint16_t src_port = 0, dst_port = 0;
    std::size_t network_offset = 0;  // where the IP/ARP header starts (for -X, which dumps from there)
};
// `data` starts with an Ethernet header (what an AF_PACKET SOCK_RAW socket returns, and pcap's
// LINKTYPE_ETHERNET); `wire_length` is the frame's length on the wire (>= data.size()).
Frame decode_ethernet(Bytes data, std::size_t wire_length);
// The same from the network layer on (ethertype 0x0800 / 0x86dd / 0x0806).
Frame decode_network(std::uint16_t ethertype, Bytes data);

// TCP options as tcpdump prints them: "mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7".
std::string tcp_options_text(Bytes options, bool& malformed);

// tcpdump -X: "\t0x0000:  4500 0054 ...  E..T" — 16 bytes a line.
std::string hex_dump(Bytes data);

// "12:00:00.123456" in local time, as tcpdump stamps each line.
std::string timestamp_text(std::int64_t sec, std::int64_t usec);

// ---- pcap (the file format tcpdump -w writes) ----------------------------------------------------
inline constexpr std::uint32_t kPcapSnaplen = 262144;
std::vector<std::uint8_t> pcap_file_header(std::uint32_t linktype = 1);  // 1 = LINKTYPE_ETHERNET
// One record: a 16-byte header (time, captured length, wire length), then the bytes, cut to snaplen.
std::vector<std::uint8_t> pcap_record(std::int64_t sec, std::int64_t usec, Bytes data, std::size_t wire_length);
struct PcapPacket {
    std::int64_t sec, usec;
    std::vector<std::uint8_t> data;
    std::size_t wire_length;
};
// Reads a file pcap_file_header()/pcap_record() wrote (microsecond, native byte order); nullopt if malformed.
std::optional<std::vector<PcapPacket>> pcap_read(Bytes file, std::string& why);

}  // namespace lesson06
