// Fuzz target: rest_server's input (lesson05_http/rest.hpp) — a note's JSON body (full and
// partial), the list query, the Flask routes and /notes paths, and the CORS decision for an
// Origin taken from the same bytes. Only InputError may come out.
#include "lesson05_http/rest.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    http::Headers h;
    h.add("Content-Type", size % 3 ? "application/json" : "application/merge-patch+json");
    for (bool partial : {false, true}) {
        try {
            const auto note = rest::parse_note_input(h, text, partial);
            if (!note.is_object())
                std::abort();
            (void)note.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } catch (const rest::InputError& e) {
            if (e.status() != 400 && e.status() != 415)
                std::abort();
        }
    }
    try {
        const auto q = rest::parse_list_query(text);
        if (q.limit < 1 || q.limit > 1000)
            std::abort();
    } catch (const rest::InputError&) {
    }
    (void)rest::flask_route(text);
    (void)rest::notes_path(text);
    rest::CorsPolicy p;
    p.origins = {"http://a.test:8000", "null"};
    http::Request req;
    req.method = "OPTIONS";
    req.headers.add("Origin", std::string(text.substr(0, text.size() / 2)));
    req.headers.add("Access-Control-Request-Method", "PUT");
    req.headers.add("Access-Control-Request-Headers", std::string(text.substr(text.size() / 2)));
    const auto a = rest::cors_answer(p, req);
    if (a.fields.has("Access-Control-Allow-Origin") && !p.allows(*req.headers.get("Origin")))
        std::abort();
    return 0;
}
