// Fuzz target: the sniffer's UDP decoder (its length field against the captured bytes), inside
// a correct IPv4 and IPv6 header.
#include "lesson06_wrap.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    (void)lesson06::decode_network(0x0800, lesson06_fuzz::in_ipv4(17, data, size));
    (void)lesson06::decode_network(0x86dd, lesson06_fuzz::in_ipv6(17, data, size));
    return 0;
}
