// app_python.hpp — how Python writes JSON and prints values, so that our transcripts and our bytes
// on the wire match the lecture's Python programs (lecture 002 app-client.py / app-server.py).
//
// Watch for: the lecture's `json.dumps(obj, ensure_ascii=False)` puts a space after every ',' and
// ':' and keeps non-ASCII text as raw UTF-8 — `{"action": "search", "value": "\xf0\x9f\x90\xb6"}`.
// nlohmann-json does the escaping; only the spacing is Python's. With the same key order the
// header of our client is byte for byte the header of the lecture's client.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace app {

// Objects keep their keys in the order they were written, as Python's dict does.
using Json = nlohmann::ordered_json;

// json.dumps(value, ensure_ascii=False). Throws nlohmann::json::type_error on invalid UTF-8.
std::string json_dumps(const Json& value);

// repr(): {'result': 'Follow the white rabbit. 🐰'}, ['hello', 'world'], True, None, 42.
std::string python_repr(const Json& value);
// repr() of a str: 'text', or "it's" when the text has a ' and no ".
std::string python_repr(std::string_view utf8_text);

}  // namespace app
