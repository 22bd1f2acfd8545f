// Fuzz target: the sniffer's TCP decoder (data offset, flags, options) on any segment, inside
// a correct IPv4 and IPv6 header; and the options parser on the raw bytes.
#include "lesson06_wrap.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto v4 = lesson06_fuzz::in_ipv4(6, data, size);
    (void)lesson06::decode_network(0x0800, v4);
    const auto v6 = lesson06_fuzz::in_ipv6(6, data, size);
    (void)lesson06::decode_network(0x86dd, v6);
    bool malformed = false;
    (void)lesson06::tcp_options_text({data, size}, malformed);
    return 0;
}
