// Fuzz target: the sniffer's pcap writer (lesson06_raw/packets.hpp). The input is cut into
// frames (a length byte, then that many bytes; the rest is one last frame); each is written
// with a wire length of its own, the file is read back, and what comes out must be what went in.
// Then the input itself is read as a pcap file: a malformed one must be refused, not overrun.
#include "lesson06_raw/packets.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::vector<std::uint8_t>> frames;
    std::size_t at = 0;
    while (at < size) {
        const std::size_t n = std::min<std::size_t>(data[at], size - at - 1);
        frames.emplace_back(data + at + 1, data + at + 1 + n);
        at += 1 + n;
    }
    auto file = lesson06::pcap_file_header();
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto record = lesson06::pcap_record(static_cast<std::int64_t>(i), 999999, frames[i], frames[i].size() + i);
        file.insert(file.end(), record.begin(), record.end());
    }
    std::string why;
    const auto back = lesson06::pcap_read(file, why);
    if (!back || back->size() != frames.size())
        std::abort();
    for (std::size_t i = 0; i < frames.size(); ++i)
        if ((*back)[i].data != frames[i] || (*back)[i].wire_length != frames[i].size() + i ||
            (*back)[i].sec != static_cast<std::int64_t>(i) || (*back)[i].usec != 999999)
            std::abort();
    (void)lesson06::pcap_read({data, size}, why);
    return 0;
}
