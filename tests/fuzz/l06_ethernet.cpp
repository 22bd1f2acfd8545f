// Fuzz target: what the sniffer does with a captured frame (lesson06_raw/packets.hpp):
// decode Ethernet and everything inside, then the -X hex dump of it. Any bytes at all, any
// claimed wire length.
#include "lesson06_raw/packets.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const lesson06::Bytes frame{data, size};
    const auto f = lesson06::decode_ethernet(frame, size);
    (void)lesson06::decode_ethernet(frame, size + 100);  // as if the capture had been cut short
    (void)lesson06::hex_dump(frame.subspan(f.network_offset <= size ? f.network_offset : size));
    return 0;
}
