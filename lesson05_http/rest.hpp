// rest.hpp — what rest_server decides from a request's bytes, without sockets: the JSON input of
// /notes, its list query (filter, limit, offset), the lecture's Flask routes, and the CORS policy
// (lecture 002). The server, the unit tests and the fuzz target all run this code.
//
// Watch for:
//  - Input errors have their own status: 415 for a body that is not declared JSON, 400 for one
//    that is not valid JSON (or nested deeper than 64), 422 never: a wrong field is 400 too.
//  - CORS is the browser's rule, not the server's: the server only says which origins may read
//    its answers (Access-Control-Allow-Origin); the browser withholds the answer from the page's
//    script otherwise. A request that could change something and is not a "simple" one (a PUT,
//    JSON with Content-Type application/json) is asked about first: the preflight OPTIONS.
//  - `*` means "anyone, without credentials": with credentials the answer must name the origin,
//    so --allow-credentials with `*` is refused. The `null` origin (sandboxed frames, file://
//    pages) is anyone's to fake, so it is allowed only when listed by name.
#pragma once

#include "http_message.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rest {

// A request the API refuses: the status and a message for the {"error": ...} body.
class InputError : public std::runtime_error {
public:
    InputError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

// A note's fields from a POST/PUT (full: "title" required) or PATCH (partial) body:
// {"title": string, "text": string, "tags": [string...]}; other fields are refused.
nlohmann::json parse_note_input(const http::Headers& headers, std::string_view body, bool partial);

struct ListQuery {
    std::string filter;       // notes whose title or text contains it
    std::size_t limit = 100;  // at most this many (1..1000)
    std::size_t offset = 0;
};
ListQuery parse_list_query(std::string_view query);

// The lecture's Flask routes (000 §6): /user/<username>, /post/<int:post_id>,
// /path/<path:subpath>. The body Flask would send, or nullopt (404).
std::optional<std::string> flask_route(std::string_view path);
// markupsafe.escape: & < > " ' → &amp; &lt; &gt; &#34; &#39;
std::string markup_escape(std::string_view text);

// /notes → {}, /notes/7 → 7, /notes/x and anything else → nullopt (what `matched` says).
struct NotesPath {
    bool collection = false;
    std::optional<std::uint64_t> id;
};
std::optional<NotesPath> notes_path(std::string_view path);

struct CorsPolicy {
    std::vector<std::string> origins;  // exact origins, or the one entry "*"
    bool credentials = false;
    int max_age = 600;
    std::vector<std::string> methods{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    std::vector<std::string> headers{"Content-Type"};
    std::vector<std::string> expose{"Location", "X-Total-Count"};

    bool enabled() const { return !origins.empty(); }
    bool allows(std::string_view origin) const;
};

// The CORS fields for an answer to `req` (none if it has no Origin, or one not allowed).
// `preflight` is set for an OPTIONS with Access-Control-Request-Method; `refused` says why the
// answer carries no permission (for the log).
struct CorsAnswer {
    http::Headers fields;
    bool preflight = false;
    std::string refused;
};
CorsAnswer cors_answer(const CorsPolicy& policy, const http::Request& req);

}  // namespace rest
