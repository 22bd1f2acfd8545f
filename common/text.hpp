// common/text.hpp — text handling that several lessons' programs need to match the lectures.
#pragma once

#include <string>
#include <string_view>

namespace netlab {

// How Python prints a bytes object: b'Hello TCP-server\n', b'\xd0\x9f...'. The lectures print
// received data this way ("Data: %s" % data), so our transcripts do too.
std::string python_bytes(std::string_view data);

// Length of the longest prefix of `data` that does not end inside a UTF-8 sequence. A recv()
// may cut a two-byte letter such as "П" in half; the rest waits for the next recv().
std::size_t utf8_complete_prefix(std::string_view data);

// Uppercases UTF-8 text the way Python's str.upper() does for one-to-one mappings
// (Latin, Cyrillic, Greek...): "привет" -> "ПРИВЕТ". Bytes that are not valid UTF-8 pass through.
std::string utf8_upper(std::string_view text);
// The same, appended to `out`: a server uppercasing into its send buffer copies each byte once.
void utf8_upper_append(std::string_view text, std::string& out);

}  // namespace netlab
