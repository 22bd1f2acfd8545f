// Fuzz target: the datagram quoted in an ICMP error (lesson06_raw/packets.hpp parse_quoted) —
// how ping and traceroute find the probe a "time exceeded" or "unreachable" is about. The input
// is the error's body after its 8-byte header, read as an IPv4 and as an IPv6 quote.
#include "lesson06_raw/packets.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string why;
    for (bool v6 : {false, true})
        if (auto q = lesson06::parse_quoted({data, size}, v6, why))
            (void)(q->src_port + q->dst_port + q->icmp_id + q->icmp_sequence);
    return 0;
}
