// stream_pattern.hpp — the bytes stream_client sends and stream_server checks (this pair only).
//
// Byte i of the transfer is i % 251: 251 is a prime, so the pattern never lines up with a chunk
// size, and a lost, doubled or reordered piece shows up at once. Both sides keep one buffer of the
// pattern, a chunk plus 251 bytes long: the bytes from stream offset o are at pattern + o % 251, so
// sending is one send() from there and checking is one memcmp() against there.
#pragma once

#include <cstddef>
#include <string>

namespace lesson01 {

inline std::string stream_pattern(std::size_t chunk)
{
    std::string pattern(chunk + 251, '\0');
    for (std::size_t i = 0; i < pattern.size(); ++i)
        pattern[i] = static_cast<char>(i % 251);
    return pattern;
}

// Where in `pattern` the bytes from stream offset `offset` start.
inline const char* stream_pattern_at(const std::string& pattern, std::size_t offset) { return pattern.data() + offset % 251; }

}  // namespace lesson01
