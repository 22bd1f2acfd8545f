// lesson06_wrap.hpp — for lesson06's fuzz targets: fuzz input wrapped in a correct IPv4 or IPv6
// header, so the fuzzer spends its time in the transport decoders rather than on getting past IP.
#pragma once

#include "lesson06_raw/packets.hpp"

#include <cstdint>
#include <vector>

namespace lesson06_fuzz {

inline std::vector<std::uint8_t> in_ipv4(std::uint8_t protocol, const std::uint8_t* data, std::size_t size)
{
    const std::size_t total = 20 + size;  // may exceed 16 bits: the decoder then sees a truncated packet
    std::vector<std::uint8_t> p{0x45,
                                0,
                                static_cast<std::uint8_t>(total >> 8),
                                static_cast<std::uint8_t>(total),
                                0,
                                1,
                                0x40,
                                0,
                                64,
                                protocol,
                                0,
                                0,
                                10,
                                0,
                                0,
                                1,
                                10,
                                0,
                                0,
                                2};
    p.insert(p.end(), data, data + size);
    return p;
}

inline std::vector<std::uint8_t> in_ipv6(std::uint8_t next_header, const std::uint8_t* data, std::size_t size)
{
    std::vector<std::uint8_t> p{0x60,        0, 0, 0, static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size),
                                next_header, 64};
    for (int i = 0; i < 2; ++i) {  // fd61::1 and fd61::2
        const std::uint8_t addr[16] = {0xfd, 0x61, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(1 + i)};
        p.insert(p.end(), addr, addr + 16);
    }
    p.insert(p.end(), data, data + size);
    return p;
}

}  // namespace lesson06_fuzz
