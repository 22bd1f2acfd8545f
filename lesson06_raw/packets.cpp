// lesson06_raw/packets.cpp — the decoders of packets.hpp. Watch for: every read goes through
// Reader, which knows how many bytes were captured; a length field is believed only after it
// has been checked against them.
#include "packets.hpp"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <type_traits>

#include <arpa/inet.h>

namespace lesson06 {

namespace {

// Bounds-checked big-endian reads from captured bytes.
struct Reader {
    Bytes data;
    bool has(std::size_t at, std::size_t n) const { return at <= data.size() && n <= data.size() - at; }
    std::uint8_t u8(std::size_t at) const { return data[at]; }
    std::uint16_t u16(std::size_t at) const { return static_cast<std::uint16_t>(data[at] << 8 | data[at + 1]); }
    std::uint32_t u32(std::size_t at) const
    {
        return static_cast<std::uint32_t>(data[at]) << 24 | static_cast<std::uint32_t>(data[at + 1]) << 16 |
               static_cast<std::uint32_t>(data[at + 2]) << 8 | data[at + 3];
    }
};

template <std::size_t N>
std::array<std::uint8_t, N> copy_bytes(Bytes data, std::size_t at)
{
    std::array<std::uint8_t, N> out{};
    std::memcpy(out.data(), data.data() + at, N);
    return out;
}

std::string num(std::uint64_t n) { return std::to_string(n); }

std::string mac_text(Bytes data, std::size_t at)
{
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", data[at], data[at + 1], data[at + 2], data[at + 3],
                  data[at + 4], data[at + 5]);
    return text;
}

}  // namespace

std::uint16_t inet_checksum(Bytes data, std::uint32_t initial)
{
    std::uint64_t sum = initial;
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2)
        sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    if (i < data.size())
        sum += static_cast<std::uint32_t>(data[i] << 8);  // an odd last byte is padded with a zero
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);  // fold the carries back in: one's-complement addition
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string ipv4_text(const std::array<std::uint8_t, 4>& a)
{
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, a.data(), text, sizeof text);
    return text;
}

std::string ipv6_text(const std::array<std::uint8_t, 16>& a)
{
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.data(), text, sizeof text);
    return text;
}

std::optional<Ipv4> parse_ipv4(Bytes data, std::string& why)
{
    Reader r{data};
    if (!r.has(0, 20)) {
        why = "truncated-ip: " + num(data.size()) + " bytes, the header needs 20";
        return std::nullopt;
    }
    const unsigned version = r.u8(0) >> 4, ihl = r.u8(0) & 0x0f;
    if (version != 4) {
        why = "bad-version " + num(version);
        return std::nullopt;
    }
    if (ihl < 5) {
        why = "bad-hlen " + num(ihl * 4);
        return std::nullopt;
    }
    Ipv4 ip;
    ip.header_length = static_cast<std::uint8_t>(ihl * 4);
    if (!r.has(0, ip.header_length)) {
        why = "bad-hlen " + num(ip.header_length) + " > " + num(data.size()) + " captured";
        return std::nullopt;
    }
    ip.tos = r.u8(1);
    ip.total_length = r.u16(2);
    if (ip.total_length < ip.header_length) {
        why = "bad-len " + num(ip.total_length);
        return std::nullopt;
    }
    ip.id = r.u16(4);
    const std::uint16_t frag = r.u16(6);
    ip.dont_fragment = frag & 0x4000;
    ip.more_fragments = frag & 0x2000;
    ip.fragment_offset = static_cast<std::uint16_t>((frag & 0x1fff) * 8);
    ip.ttl = r.u8(8);
    ip.protocol = r.u8(9);
    ip.checksum_ok = inet_checksum(data.first(ip.header_length)) == 0;
    ip.src = copy_bytes<4>(data, 12);
    ip.dst = copy_bytes<4>(data, 16);
    std::size_t end = ip.total_length;
    if (end > data.size()) {
        ip.truncated = true;
        end = data.size();
    }
    ip.payload = data.subspan(ip.header_length, end - ip.header_length);
    return ip;
}

std::optional<Ipv6> parse_ipv6(Bytes data, std::string& why)
{
    Reader r{data};
    if (!r.has(0, 40)) {
        why = "truncated-ip6: " + num(data.size()) + " bytes, the header needs 40";
        return std::nullopt;
    }
    if (r.u8(0) >> 4 != 6) {
        why = "bad-version " + num(r.u8(0) >> 4);
        return std::nullopt;
    }
    Ipv6 ip;
    const std::uint32_t first = r.u32(0);
    ip.traffic_class = static_cast<std::uint8_t>(first >> 20);
    ip.flow_label = first & 0xfffff;
    ip.payload_length = r.u16(4);
    ip.next_header = r.u8(6);
    ip.hop_limit = r.u8(7);
    ip.src = copy_bytes<16>(data, 8);
    ip.dst = copy_bytes<16>(data, 24);
    std::size_t length = ip.payload_length;
    if (length > data.size() - 40) {
        ip.truncated = true;
        length = data.size() - 40;
    }
    ip.payload = data.subspan(40, length);
    return ip;
}

std::optional<Icmp> parse_icmp(Bytes data, std::string& why)
{
    Reader r{data};
    if (!r.has(0, 8)) {
        why = "[|icmp] " + num(data.size()) + " bytes, the header needs 8";
        return std::nullopt;
    }
    Icmp m;
    m.type = r.u8(0);
    m.code = r.u8(1);
    m.checksum = r.u16(2);
    m.id = r.u16(4);
    m.sequence = r.u16(6);
    m.body = data.subspan(8);
    m.whole = data;
    return m;
}

std::vector<std::uint8_t> echo_request(std::uint8_t type, std::uint16_t id, std::uint16_t sequence, Bytes payload)
{
    std::vector<std::uint8_t> packet{type,
                                     0,
                                     0,
                                     0,
                                     static_cast<std::uint8_t>(id >> 8),
                                     static_cast<std::uint8_t>(id),
                                     static_cast<std::uint8_t>(sequence >> 8),
                                     static_cast<std::uint8_t>(sequence)};
    packet.insert(packet.end(), payload.begin(), payload.end());
    // Summed with the checksum field at 0; stored big-endian, so the receiver's sum comes out 0.
    const std::uint16_t sum = inet_checksum(packet);
    packet[2] = static_cast<std::uint8_t>(sum >> 8);
    packet[3] = static_cast<std::uint8_t>(sum);
    return packet;
}

std::string icmp_error_text(std::uint8_t type, std::uint8_t code)
{
    if (type == icmp::kTimeExceeded)
        return code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
    if (type == icmp::kUnreachable) {
        switch (code) {
        case 0: return "Destination Net Unreachable";
        case 1: return "Destination Host Unreachable";
        case 2: return "Destination Protocol Unreachable";
        case 3: return "Destination Port Unreachable";
        case 4: return "Frag needed and DF set";
        case 9: return "Destination Net Prohibited";
        case 10: return "Destination Host Prohibited";
        case 13: return "Packet filtered";
        default: return "Dest Unreachable, Bad Code: " + num(code);
        }
    }
    return "Bad ICMP type: " + num(type);
}

std::string icmp6_error_text(std::uint8_t type, std::uint8_t code)
{
    if (type == icmp6::kTimeExceeded)
        return code == 0 ? "Time exceeded: Hop limit" : "Time exceeded: Defragmentation failure";
    if (type == icmp6::kUnreachable) {
        switch (code) {
        case 0: return "Destination unreachable: No route";
        case 1: return "Destination unreachable: Administratively prohibited";
        case 3: return "Destination unreachable: Address unreachable";
        case 4: return "Destination unreachable: Port unreachable";
        default: return "Destination unreachable: Unknown code " + num(code);
        }
    }
    if (type == icmp6::kTooBig)
        return "Packet too big";
    return "Bad ICMPv6 type: " + num(type);
}

std::optional<Quoted> parse_quoted(Bytes body, bool v6, std::string& why)
{
    Quoted q;
    q.v6 = v6;
    Bytes transport;
    if (v6) {
        // ICMPv6 errors have 4 more bytes (unused, or the MTU) before the quote; our caller skipped
        // only the 8-byte header, which includes them.
        auto ip = parse_ipv6(body, why);
        if (!ip)
            return std::nullopt;
        q.protocol = ip->next_header;
        q.src = ip->src;
        q.dst = ip->dst;
        transport = ip->payload;
    } else {
        // A quote is cut short on purpose (the IP header + 8 bytes), so its total_length is
        // usually more than what is there: parse_ipv4 marks that `truncated`, which is fine here.
        auto ip = parse_ipv4(body, why);
        if (!ip)
            return std::nullopt;
        q.protocol = ip->protocol;
        std::memcpy(q.src.data(), ip->src.data(), 4);
        std::memcpy(q.dst.data(), ip->dst.data(), 4);
        transport = ip->payload;
    }
    Reader r{transport};
    if (!r.has(0, 8)) {
        why = "quoted datagram: " + num(transport.size()) + " bytes after its IP header, need 8";
        return std::nullopt;
    }
    if (q.protocol == 17 || q.protocol == 6) {
        q.src_port = r.u16(0);
        q.dst_port = r.u16(2);
    } else if (q.protocol == 1 || q.protocol == 58) {
        q.icmp_type = r.u8(0);
        q.icmp_id = r.u16(4);
        q.icmp_sequence = r.u16(6);
    }
    return q;
}

// ---- the sniffer's decoder ------------------------------------------------------------------
namespace {

const char* kTcpFlagChars[] = {"F", "S", "R", "P", ".", "U", "E", "W"};

void decode_tcp(Frame& f, Bytes seg, const std::string& src, const std::string& dst)
{
    Reader r{seg};
    f.protocol = "tcp";
    if (!r.has(0, 4)) {
        f.line += src + " > " + dst + ": [|tcp]";
        f.malformed = true;
        return;
    }
    f.src_port = r.u16(0);
    f.dst_port = r.u16(2);
    f.line += src + "." + num(f.src_port) + " > " + dst + "." + num(f.dst_port) + ": ";
    if (!r.has(0, 20)) {
        f.line += "[|tcp] " + num(seg.size()) + " bytes, the header needs 20";
        f.malformed = true;
        return;
    }
    const std::uint32_t seq = r.u32(4), ack = r.u32(8);
    const unsigned offset = (r.u8(12) >> 4) * 4u;
    const unsigned flags = r.u8(13);
    const std::uint16_t window = r.u16(14), urgent = r.u16(18);
    if (offset < 20) {
        f.line += "[bad hdr length " + num(offset) + " - too short, < 20]";
        f.malformed = true;
        return;
    }
    if (offset > seg.size()) {
        f.line += "[bad hdr length " + num(offset) + " - too long, > " + num(seg.size()) + " captured]";
        f.malformed = true;
        return;
    }
    std::string flag_text;
    for (unsigned bit = 0; bit < 8; ++bit)
        if (flags & (1u << bit))
            flag_text += kTcpFlagChars[bit];
    if (flag_text.empty())
        flag_text = "none";
    const std::size_t length = seg.size() - offset;
    f.line += "Flags [" + flag_text + "]";
    // As tcpdump: a bare ACK carries no sequence worth showing; data shows the range it covers.
    if (length > 0)
        f.line += ", seq " + num(seq) + ":" + num(static_cast<std::uint32_t>(seq + length));
    else if (flags & 0x07)  // FIN, SYN or RST use up (or name) a sequence number
        f.line += ", seq " + num(seq);
    if (flags & 0x10)
        f.line += ", ack " + num(ack);
    f.line += ", win " + num(window);
    if (flags & 0x20)
        f.line += ", urg " + num(urgent);
    if (offset > 20) {
        bool bad = false;
        f.line += ", options [" + tcp_options_text(seg.subspan(20, offset - 20), bad) + "]";
        f.malformed = f.malformed || bad;
    }
    f.line += ", length " + num(length);
}

void decode_udp(Frame& f, Bytes dgram, const std::string& src, const std::string& dst)
{
    Reader r{dgram};
    f.protocol = "udp";
    if (!r.has(0, 8)) {
        f.line += src + " > " + dst + ": [|udp] " + num(dgram.size()) + " bytes, the header needs 8";
        f.malformed = true;
        return;
    }
    f.src_port = r.u16(0);
    f.dst_port = r.u16(2);
    const std::uint16_t length = r.u16(4);
    f.line += src + "." + num(f.src_port) + " > " + dst + "." + num(f.dst_port) + ": ";
    if (length < 8 || length > dgram.size()) {
        f.line += "UDP, bad length " + num(length) + " > " + num(dgram.size());
        f.malformed = true;
        return;
    }
    f.line += "UDP, length " + num(length - 8u);
}

std::string quoted_addr(const Quoted& q, bool src)
{
    const auto& a = src ? q.src : q.dst;
    if (q.v6)
        return ipv6_text(a);
    return ipv4_text({a[0], a[1], a[2], a[3]});
}

void decode_icmp(Frame& f, Bytes msg, const std::string& src, const std::string& dst)
{
    f.protocol = "icmp";
    f.line += src + " > " + dst + ": ICMP ";
    std::string why;
    auto m = parse_icmp(msg, why);
    if (!m) {
        f.line += why;
        f.malformed = true;
        return;
    }
    const std::string length = ", length " + num(msg.size());
    switch (m->type) {
    case icmp::kEchoRequest:
    case icmp::kEchoReply:
        f.line += std::string(m->type == icmp::kEchoRequest ? "echo request" : "echo reply") + ", id " + num(m->id) + ", seq " +
                  num(m->sequence) + length;
        return;
    case icmp::kUnreachable:
    case icmp::kTimeExceeded: {
        auto q = parse_quoted(m->body, false, why);
        if (!q) {
            f.line += (m->type == icmp::kTimeExceeded ? "time exceeded" : "unreachable") + std::string(", bad quote: ") + why +
                      length;
            f.malformed = true;
            return;
        }
        if (m->type == icmp::kTimeExceeded) {
            f.line += std::string(m->code == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded") + length;
        } else if (m->code == 3 && q->protocol == 17) {
            f.line += quoted_addr(*q, false) + " udp port " + num(q->dst_port) + " unreachable" + length;
        } else if (m->code == 3 && q->protocol == 6) {
            f.line += quoted_addr(*q, false) + " tcp port " + num(q->dst_port) + " unreachable" + length;
        } else if (m->code == 0) {
            f.line += "net " + quoted_addr(*q, false) + " unreachable" + length;
        } else if (m->code == 1) {
            f.line += "host " + quoted_addr(*q, false) + " unreachable" + length;
        } else if (m->code == 2) {
            f.line += quoted_addr(*q, false) + " protocol " + num(q->protocol) + " unreachable" + length;
        } else {
            f.line += quoted_addr(*q, false) + " unreachable - code " + num(m->code) + length;
        }
        return;
    }
    default: f.line += "type-#" + num(m->type) + length;
    }
}

void decode_icmp6(Frame& f, Bytes msg, const std::string& src, const std::string& dst)
{
    f.protocol = "icmp6";
    f.line += src + " > " + dst + ": ICMP6, ";
    std::string why;
    auto m = parse_icmp(msg, why);
    if (!m) {
        f.line += why;
        f.malformed = true;
        return;
    }
    const std::string length = ", length " + num(msg.size());
    Reader r{m->body};
    auto target = [&]() -> std::string {
        if (!r.has(0, 16)) {
            f.malformed = true;
            return "[|icmp6]";
        }
        return ipv6_text(copy_bytes<16>(m->body, 0));
    };
    switch (m->type) {
    case icmp6::kEchoRequest:
    case icmp6::kEchoReply:
        f.line += std::string(m->type == icmp6::kEchoRequest ? "echo request" : "echo reply") + ", id " + num(m->id) + ", seq " +
                  num(m->sequence) + length;
        return;
    case icmp6::kUnreachable:
    case icmp6::kTimeExceeded: {
        auto q = parse_quoted(m->body, true, why);
        if (!q) {
            f.line += (m->type == icmp6::kTimeExceeded ? "time exceeded" : "destination unreachable") +
                      std::string(", bad quote: ") + why + length;
            f.malformed = true;
            return;
        }
        if (m->type == icmp6::kTimeExceeded)
            f.line += "time exceeded in-transit for " + quoted_addr(*q, false) + length;
        else if (m->code == 4 && q->protocol == 17)
            f.line += "destination unreachable, unreachable port, " + quoted_addr(*q, false) + " udp port " + num(q->dst_port) +
                      length;
        else
            f.line += "destination unreachable, code " + num(m->code) + " for " + quoted_addr(*q, false) + length;
        return;
    }
    case icmp6::kTooBig:
        f.line += "packet too big, mtu " + num(static_cast<std::uint32_t>(m->id) << 16 | m->sequence) + length;
        return;
    case 133: f.line += "router solicitation" + length; return;
    case 134: f.line += "router advertisement" + length; return;
    case 135: f.line += "neighbor solicitation, who has " + target() + length; return;
    case 136: f.line += "neighbor advertisement, tgt is " + target() + length; return;
    case 143: f.line += "multicast listener report v2" + length; return;
    default: f.line += "type " + num(m->type) + length;
    }
}

void decode_transport(Frame& f, std::uint8_t protocol, Bytes payload, bool v6)
{
    switch (protocol) {
    case 6: decode_tcp(f, payload, f.src, f.dst); return;
    case 17: decode_udp(f, payload, f.src, f.dst); return;
    case 1:
        if (!v6) {
            decode_icmp(f, payload, f.src, f.dst);
            return;
        }
        break;
    case 58:
        if (v6) {
            decode_icmp6(f, payload, f.src, f.dst);
            return;
        }
        break;
    }
    f.line += f.src + " > " + f.dst + ": ip-proto-" + num(protocol) + ", length " + num(payload.size());
}

// What both IP versions start with: the line's tag, the header parsed (or why not, on the line),
// its addresses as text.
template <class Header>
std::optional<Header> start_ip(Frame& f, Bytes data, const char* tag, std::optional<Header> (*parse)(Bytes, std::string&))
{
    f.line = tag;
    std::string why;
    auto ip = parse(data, why);
    if (!ip) {
        f.line += why;
        f.malformed = true;
        return ip;
    }
    if constexpr (std::is_same_v<Header, Ipv4>) {
        f.src = ipv4_text(ip->src);
        f.dst = ipv4_text(ip->dst);
    } else {
        f.src = ipv6_text(ip->src);
        f.dst = ipv6_text(ip->dst);
    }
    return ip;
}

void decode_ipv4(Frame& f, Bytes data)
{
    f.protocol = "ip";
    auto ip = start_ip(f, data, "IP ", parse_ipv4);
    if (!ip)
        return;
    if (ip->truncated) {
        f.line += "truncated-ip - " + num(ip->total_length - data.size()) + " bytes missing! ";
        f.malformed = true;
    }
    if (ip->fragment_offset != 0) {  // a later fragment: no transport header here
        f.line += f.src + " > " + f.dst + ": ip-proto-" + num(ip->protocol) + ", fragment offset " + num(ip->fragment_offset) +
                  ", length " + num(ip->payload.size());
        f.protocol = "ip";
        return;
    }
    decode_transport(f, ip->protocol, ip->payload, false);
}

void decode_ipv6(Frame& f, Bytes data)
{
    f.protocol = "ip6";
    auto ip = start_ip(f, data, "IP6 ", parse_ipv6);
    if (!ip)
        return;
    if (ip->truncated) {
        f.line += "truncated-ip6 - " + num(ip->payload_length - ip->payload.size()) + " bytes missing! ";
        f.malformed = true;
    }
    decode_transport(f, ip->next_header, ip->payload, true);
}

void decode_arp(Frame& f, Bytes data)
{
    f.protocol = "arp";
    f.line = "ARP, ";
    Reader r{data};
    if (!r.has(0, 8)) {
        f.line += "[|arp] " + num(data.size()) + " bytes";
        f.malformed = true;
        return;
    }
    const std::uint16_t htype = r.u16(0), ptype = r.u16(2), op = r.u16(6);
    const std::uint8_t hlen = r.u8(4), plen = r.u8(5);
    if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4) {
        f.line += "hardware " + num(htype) + " protocol 0x" +
                  [&] {
                      char t[8];
                      std::snprintf(t, sizeof t, "%04x", ptype);
                      return std::string(t);
                  }() +
                  ", length " + num(data.size());
        return;
    }
    if (!r.has(8, 20)) {
        f.line += "[|arp] " + num(data.size()) + " bytes, Ethernet/IPv4 ARP needs 28";
        f.malformed = true;
        return;
    }
    f.src = ipv4_text(copy_bytes<4>(data, 14));
    f.dst = ipv4_text(copy_bytes<4>(data, 24));
    const std::string length = ", length " + num(data.size());
    if (op == 1)
        f.line += "Request who-has " + f.dst + " tell " + f.src + length;
    else if (op == 2)
        f.line += "Reply " + f.src + " is-at " + mac_text(data, 8) + length;
    else
        f.line += "op " + num(op) + length;
}

}  // namespace

std::string tcp_options_text(Bytes options, bool& malformed)
{
    Reader r{options};
    std::string out;
    std::size_t at = 0;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : ",") + s; };
    while (at < options.size()) {
        const std::uint8_t kind = r.u8(at);
        if (kind == 0) {
            add("eol");
            break;
        }
        if (kind == 1) {
            add("nop");
            ++at;
            continue;
        }
        if (!r.has(at, 2) || r.u8(at + 1) < 2 || !r.has(at, r.u8(at + 1))) {
            add("bad opt");
            malformed = true;
            break;
        }
        const std::size_t len = r.u8(at + 1);
        if (kind == 2 && len == 4)
            add("mss " + num(r.u16(at + 2)));
        else if (kind == 3 && len == 3)
            add("wscale " + num(r.u8(at + 2)));
        else if (kind == 4 && len == 2)
            add("sackOK");
        else if (kind == 8 && len == 10)
            add("TS val " + num(r.u32(at + 2)) + " ecr " + num(r.u32(at + 6)));
        else if (kind == 5 && (len - 2) % 8 == 0) {
            std::string s = "sack " + num((len - 2) / 8) + " ";
            for (std::size_t b = at + 2; b + 8 <= at + len; b += 8)
                s += "{" + num(r.u32(b)) + ":" + num(r.u32(b + 4)) + "}";
            add(s);
        } else
            add("opt-" + num(kind) + ":" + num(len));
        at += len;
    }
    return out;
}

Frame decode_network(std::uint16_t ethertype, Bytes data)
{
    Frame f;
    f.network = ethertype == 0x0800 ? "ip" : ethertype == 0x86dd ? "ip6" : ethertype == 0x0806 ? "arp" : "ether";
    switch (ethertype) {
    case 0x0800: decode_ipv4(f, data); break;
    case 0x86dd: decode_ipv6(f, data); break;
    case 0x0806: decode_arp(f, data); break;
    default: {
        char t[48];
        std::snprintf(t, sizeof t, "ethertype Unknown (0x%04x), length %zu", ethertype, data.size());
        f.line = t;
        f.protocol = "ether";
    }
    }
    return f;
}

Frame decode_ethernet(Bytes data, std::size_t wire_length)
{
    Reader r{data};
    if (!r.has(0, 14)) {
        Frame f;
        f.line = "[|ether] " + num(data.size()) + " bytes, the Ethernet header needs 14";
        f.malformed = true;
        f.protocol = f.network = "ether";
        return f;
    }
    std::uint16_t ethertype = r.u16(12);
    std::size_t at = 14;
    std::string vlan;
    if (ethertype == 0x8100 && r.has(14, 4)) {  // 802.1Q: a 4-byte tag before the real ethertype
        vlan = "vlan " + num(r.u16(14) & 0x0fff) + ", ";
        ethertype = r.u16(16);
        at = 18;
    }
    Frame f = decode_network(ethertype, data.subspan(at));
    f.line = vlan + f.line;
    f.network_offset = at;
    if (wire_length > data.size()) {
        f.line += " [" + num(wire_length - data.size()) + " bytes not captured]";
        f.malformed = true;
    }
    return f;
}

std::string hex_dump(Bytes data)
{
    std::string out;
    for (std::size_t line = 0; line < data.size(); line += 16) {
        char head[32];
        std::snprintf(head, sizeof head, "\t0x%04zx: ", line);
        std::string hex, ascii;
        for (std::size_t i = line; i < line + 16 && i < data.size(); ++i) {
            char byte[4];
            std::snprintf(byte, sizeof byte, "%s%02x", (i - line) % 2 == 0 ? " " : "", data[i]);
            hex += byte;
            ascii += data[i] > 0x20 && data[i] < 0x7f ? static_cast<char>(data[i]) : '.';  // tcpdump: printable, not space
        }
        hex.resize(40, ' ');
        out += head + hex + "  " + ascii + "\n";
    }
    return out;
}

std::string timestamp_text(std::int64_t sec, std::int64_t usec)
{
    const std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    localtime_r(&t, &tm);
    char text[32];
    std::snprintf(text, sizeof text, "%02d:%02d:%02d.%06lld", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(usec));
    return text;
}

// ---- pcap ----------------------------------------------------------------------------------------
namespace {
void put32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);  // pcap is written in the writer's byte order
    out.insert(out.end(), p, p + 4);
}
void put16(std::vector<std::uint8_t>& out, std::uint16_t v)
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + 2);
}
std::uint32_t get32(Bytes data, std::size_t at)
{
    std::uint32_t v;
    std::memcpy(&v, data.data() + at, 4);
    return v;
}
}  // namespace

std::vector<std::uint8_t> pcap_file_header(std::uint32_t linktype)
{
    std::vector<std::uint8_t> out;
    put32(out, 0xa1b2c3d4);  // magic: microsecond timestamps; a reader sees 0xd4c3b2a1 if byte order differs
    put16(out, 2);           // version 2.4
    put16(out, 4);
    put32(out, 0);  // thiszone
    put32(out, 0);  // sigfigs
    put32(out, kPcapSnaplen);
    put32(out, linktype);
    return out;
}

std::vector<std::uint8_t> pcap_record(std::int64_t sec, std::int64_t usec, Bytes data, std::size_t wire_length)
{
    const std::size_t captured = std::min<std::size_t>(data.size(), kPcapSnaplen);
    wire_length = std::max(wire_length, captured);
    std::vector<std::uint8_t> out;
    out.reserve(16 + captured);
    put32(out, static_cast<std::uint32_t>(sec));
    put32(out, static_cast<std::uint32_t>(usec));
    put32(out, static_cast<std::uint32_t>(captured));
    put32(out, static_cast<std::uint32_t>(std::min<std::size_t>(wire_length, 0xffffffffu)));
    out.insert(out.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(captured));
    return out;
}

std::optional<std::vector<PcapPacket>> pcap_read(Bytes file, std::string& why)
{
    if (file.size() < 24 || get32(file, 0) != 0xa1b2c3d4) {
        why = "not a pcap file in native byte order";
        return std::nullopt;
    }
    const std::uint32_t snaplen = get32(file, 16);
    std::vector<PcapPacket> packets;
    std::size_t at = 24;
    while (at < file.size()) {
        if (file.size() - at < 16) {
            why = "truncated record header at offset " + num(at);
            return std::nullopt;
        }
        const std::uint32_t captured = get32(file, at + 8), wire = get32(file, at + 12);
        if (captured > snaplen || captured > file.size() - at - 16 || wire < captured) {
            why = "bad record length at offset " + num(at);
            return std::nullopt;
        }
        PcapPacket p{get32(file, at), get32(file, at + 4), {}, wire};
        p.data.assign(file.begin() + static_cast<std::ptrdiff_t>(at + 16),
                      file.begin() + static_cast<std::ptrdiff_t>(at + 16 + captured));
        packets.push_back(std::move(p));
        at += 16 + captured;
    }
    return packets;
}

}  // namespace lesson06
