// Fuzz target: the sniffer's ARP decoder (lesson06_raw/packets.hpp), ethertype 0x0806.
#include "lesson06_raw/packets.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    (void)lesson06::decode_network(0x0806, {data, size});
    return 0;
}
