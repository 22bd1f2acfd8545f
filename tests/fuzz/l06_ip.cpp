// Fuzz target: IPv4 and IPv6 headers (lesson06_raw/packets.hpp) — what ping and traceroute do
// with a raw socket's packet (parse_ipv4: IHL, total length) and the sniffer with ethertypes
// 0x0800 and 0x86dd. The same bytes go through both.
#include "lesson06_raw/packets.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const lesson06::Bytes bytes{data, size};
    std::string why;
    if (auto ip = lesson06::parse_ipv4(bytes, why)) {
        (void)lesson06::ipv4_text(ip->src);
        (void)lesson06::parse_icmp(ip->payload, why);
    }
    if (auto ip = lesson06::parse_ipv6(bytes, why))
        (void)lesson06::ipv6_text(ip->dst);
    (void)lesson06::decode_network(0x0800, bytes);
    (void)lesson06::decode_network(0x86dd, bytes);
    return 0;
}
