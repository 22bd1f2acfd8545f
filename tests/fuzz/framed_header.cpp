// Fuzz target: framed_client's reading of what a server sends (lesson01_tcp/framing.hpp): the
// 10-byte length header, then, for --object, the JSON map printed as Python prints a dict.
#include "lesson01_tcp/framing.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const std::size_t length = framing::parse_header(bytes.substr(0, framing::kHeaderSize));
        if (bytes.size() >= framing::kHeaderSize)
            (void)framing::python_dict(std::string(bytes.substr(framing::kHeaderSize, length)));
    } catch (const std::runtime_error&) {  // a bad header or bad JSON: the client's one error line
    }
    return 0;
}
