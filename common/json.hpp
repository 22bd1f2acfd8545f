// common/json.hpp — reading JSON that came from the network.
//
// Watch for: a JSON document is a tree, and nesting costs the sender two bytes a level.
// `[[[[...]]]]` 30,000 deep is 60 KB — small enough to pass any size limit — and every function
// that walks the tree recursively (dump(), a Python-style printer, a destructor) then needs 30,000
// stack frames: one client overflows the stack and kills the server for everyone. So every
// document from a peer is parsed here, with a depth limit, and a deeper one is refused like any
// other malformed input. Real programs need a handful of levels; 64 is generous.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace netlab {

inline constexpr int kMaxJsonDepth = 64;

// The text is not JSON, or is nested too deep. what() is the reason without nlohmann's
// "[json.exception.parse_error.101] " prefix, fit for a log line.
class JsonError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
// Well-formed, perhaps, but deeper than the limit.
class JsonTooDeep : public JsonError {
    using JsonError::JsonError;
};

// nlohmann::json::parse with a depth limit. Json is nlohmann::json or nlohmann::ordered_json.
template <class Json = nlohmann::json>
Json parse_json(std::string_view text, int max_depth = kMaxJsonDepth)
{
    // The parser calls this at each '{' and '[' with the depth of the value it opens; throwing
    // stops it before anything deeper is built.
    const auto guard = [max_depth](int depth, typename Json::parse_event_t event, Json&) {
        const bool opens = event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
        if (opens && depth >= max_depth)
            throw JsonTooDeep("nested deeper than " + std::to_string(max_depth) + " levels");
        return true;
    };
    try {
        return Json::parse(text, guard);
    } catch (const typename Json::exception& e) {  // JsonTooDeep passes through untouched
        std::string reason = e.what();
        if (reason.rfind("[json.exception.", 0) == 0)
            if (const auto end = reason.find("] "); end != std::string::npos)
                reason.erase(0, end + 2);
        throw JsonError(reason);
    }
}

}  // namespace netlab
