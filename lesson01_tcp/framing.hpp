// framing.hpp — the fixed-width length header of lecture 004, shared by framed_server (which
// frames) and framed_client (which reads frames back out of the byte stream).
//
//   b'22        Welcome to the server!'
//     ^^^^^^^^^^ 10 characters: the length in bytes, left-aligned, padded with spaces
//
// Watch for: the header comes from the network, so the client trusts none of it: only digits
// between the spaces, at most 7 of them, and a length within kMaxMessage.
#pragma once

#include "common/json.hpp"
#include "common/text.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace framing {

inline constexpr std::size_t kHeaderSize = 10;
inline constexpr std::size_t kMaxMessage = 1 << 20;  // a header from a stranger may claim anything

// f"{len(msg):<{HEADERSIZE}}" + msg
inline std::string frame(const std::string& payload)
{
    std::string header = std::to_string(payload.size());
    header.resize(kHeaderSize, ' ');
    return header + payload;
}

// The length a header announces; throws std::runtime_error for anything but "  22   "-style text.
inline std::size_t parse_header(std::string_view header)
{
    std::size_t pos = 0;
    while (pos < header.size() && header[pos] == ' ')
        ++pos;
    std::size_t value = 0, digits = 0;
    for (; pos < header.size() && header[pos] >= '0' && header[pos] <= '9'; ++pos, ++digits)
        value = value * 10 + static_cast<std::size_t>(header[pos] - '0');
    while (pos < header.size() && header[pos] == ' ')
        ++pos;
    if (digits == 0 || digits > 7 || pos != header.size() || value > kMaxMessage)
        throw std::runtime_error("bad header " + netlab::python_bytes(header));
    return value;
}

// The object message: {"1": "hi", "2": "there"} printed as Python prints the unpickled dict {1: 'hi', 2: 'there'}.
inline std::string python_dict(const std::string& json_text)
{
    const auto obj = netlab::parse_json(json_text);  // throws JsonError: one line, exit 1
    if (!obj.is_object())
        throw std::runtime_error("object message is not a JSON object: " + json_text);
    std::string out = "{";
    for (const auto& [key, value] : obj.items()) {
        const bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        out += (out.size() > 1 ? ", " : "") + (numeric ? key : "'" + key + "'") + ": ";
        out += value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
    }
    return out + "}";
}

}  // namespace framing
