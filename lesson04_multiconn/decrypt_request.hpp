// decrypt_request.hpp — what a decrypt client may send (practice task 1, lecture 001): one line of
// JSON, a list of at most kMaxWords strings:  ["khoor", "zruog"]
//
// Watch for: the line comes from a stranger. It is parsed with a depth limit (a line of 32,000 '['
// would otherwise overflow the stack of whatever prints it), then checked for shape before a
// single word is looked up. Anything else is a BadRequest, which closes that client only.
#pragma once

#include "app_python.hpp"

#include "common/json.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace decrypt {

inline constexpr std::size_t kMaxWords = 1000;

struct BadRequest : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline app::Json parse_request(const std::string& line)
{
    app::Json words;
    try {
        words = netlab::parse_json<app::Json>(line);
    } catch (const netlab::JsonTooDeep& e) {
        throw BadRequest(std::string("not a list of words: ") + e.what());
    } catch (const netlab::JsonError&) {
        throw BadRequest("not JSON: expected a list of words such as [\"khoor\", \"zruog\"]");
    }
    if (!words.is_array())
        throw BadRequest("not a list: " + app::json_dumps(words));
    if (words.size() > kMaxWords)
        throw BadRequest("too many words: " + std::to_string(words.size()) + " (at most " + std::to_string(kMaxWords) + ")");
    for (const auto& word : words)
        if (!word.is_string())
            throw BadRequest("not a word: " + app::json_dumps(word));
    return words;
}

}  // namespace decrypt
