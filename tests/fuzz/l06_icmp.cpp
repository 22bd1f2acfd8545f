// Fuzz target: ICMP and ICMPv6 messages — parse_icmp, the checksum, and the sniffer's
// decoders for both (echo, errors with their quotes, neighbour discovery), inside correct IP headers.
#include "lesson06_wrap.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string why;
    if (auto m = lesson06::parse_icmp({data, size}, why)) {
        (void)lesson06::inet_checksum(m->whole);
        (void)lesson06::icmp_error_text(m->type, m->code);
        (void)lesson06::icmp6_error_text(m->type, m->code);
    }
    (void)lesson06::decode_network(0x0800, lesson06_fuzz::in_ipv4(1, data, size));
    (void)lesson06::decode_network(0x86dd, lesson06_fuzz::in_ipv6(58, data, size));
    return 0;
}
