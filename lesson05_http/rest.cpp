// rest.cpp — see rest.hpp.
#include "rest.hpp"

#include "url.hpp"

#include "common/json.hpp"

#include <algorithm>
#include <charconv>

namespace rest {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

}  // namespace

nlohmann::json parse_note_input(const http::Headers& headers, std::string_view body, bool partial)
{
    const std::string* type = headers.get("Content-Type");
    const std::string media = type ? lower(trim(std::string_view(*type).substr(0, type->find(';')))) : "";
    if (media != "application/json" && !(partial && media == "application/merge-patch+json"))
        throw InputError(415, "Content-Type must be application/json, not '" + (type ? *type : std::string()) + "'");
    nlohmann::json j;
    try {
        j = netlab::parse_json(body);
    } catch (const netlab::JsonError& e) {
        throw InputError(400, std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw InputError(400, "the body must be a JSON object");
    nlohmann::json note = nlohmann::json::object();
    for (const auto& [key, value] : j.items()) {
        if (key == "title" || key == "text") {
            if (!value.is_string())
                throw InputError(400, "\"" + key + "\" must be a string");
        } else if (key == "tags") {
            if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const auto& t) { return t.is_string(); }))
                throw InputError(400, "\"tags\" must be an array of strings");
        } else if (key == "id") {
            continue;  // the URL names the note; an id in the body is ignored
        } else {
            throw InputError(400, "unknown field \"" + key + "\"");
        }
        note[key] = value;
    }
    if (!partial && (!note.contains("title") || note["title"].get<std::string>().empty()))
        throw InputError(400, "\"title\" is required");
    if (partial && note.contains("title") && note["title"].get<std::string>().empty())
        throw InputError(400, "\"title\" must not be empty");
    return note;
}

ListQuery parse_list_query(std::string_view query)
{
    ListQuery q;
    auto number = [](const std::string& name, const std::string& v, std::size_t min, std::size_t max) {
        std::size_t n = 0;
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || ptr != v.data() + v.size() || v.empty() || n < min || n > max)
            throw InputError(400, name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                                      ", not '" + v + "'");
        return n;
    };
    for (const auto& [k, v] : http::parse_query(query)) {
        if (k == "filter")
            q.filter = v;
        else if (k == "limit")
            q.limit = number("limit", v, 1, 1000);
        else if (k == "offset")
            q.offset = number("offset", v, 0, 1'000'000'000);
        else
            throw InputError(400, "unknown query parameter '" + k + "'");
    }
    return q;
}

std::string markup_escape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::optional<std::string> flask_route(std::string_view path)
{
    auto tail = [&](std::string_view prefix) -> std::optional<std::string> {
        if (!path.starts_with(prefix) || path.size() == prefix.size())
            return std::nullopt;
        return http::percent_decode(path.substr(prefix.size()));
    };
    if (path.starts_with("/user/")) {  // <username>: the default converter, one segment
        const auto name = tail("/user/");
        if (!name || path.substr(6).find('/') != std::string_view::npos)
            return std::nullopt;
        return "User " + markup_escape(*name);
    }
    if (path.starts_with("/post/")) {  // <int:post_id>: digits only, else no route at all
        const std::string_view digits = path.substr(6);
        std::uint64_t id = 0;
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
        if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
            return std::nullopt;
        return "Post " + std::to_string(id);
    }
    if (path.starts_with("/path/")) {  // <path:subpath>: slashes included
        const auto sub = tail("/path/");
        if (!sub)
            return std::nullopt;
        return "Subpath " + markup_escape(*sub);
    }
    return std::nullopt;
}

std::optional<NotesPath> notes_path(std::string_view path)
{
    if (path == "/notes" || path == "/notes/")
        return NotesPath{true, std::nullopt};
    if (!path.starts_with("/notes/"))
        return std::nullopt;
    const std::string_view digits = path.substr(7);
    std::uint64_t id = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty())
        return NotesPath{};  // under /notes/ but not a note's address: 404
    return NotesPath{false, id};
}

bool CorsPolicy::allows(std::string_view origin) const
{
    for (const auto& o : origins) {
        if (o == origin)
            return true;
        if (o == "*" && origin != "null")  // null only when listed by name
            return true;
    }
    return false;
}

namespace {

std::string join(const std::vector<std::string>& v)
{
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

bool listed(const std::vector<std::string>& v, std::string_view item)
{
    return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return http::iequals(s, item); });
}

}  // namespace

CorsAnswer cors_answer(const CorsPolicy& p, const http::Request& req)
{
    CorsAnswer a;
    if (!p.enabled())
        return a;
    const bool wildcard = p.origins.size() == 1 && p.origins[0] == "*" && !p.credentials;
    const std::string* origin = req.headers.get("Origin");
    a.preflight = req.method == "OPTIONS" && origin && req.headers.has("Access-Control-Request-Method");
    // The answer depends on Origin (unless it is * for everyone): caches must keep one per origin.
    if (!wildcard)
        a.fields.add("Vary", a.preflight ? "Origin, Access-Control-Request-Method, Access-Control-Request-Headers" : "Origin");
    if (!origin)
        return a;
    if (!p.allows(*origin)) {
        a.refused = "origin " + *origin + " is not allowed";
        return a;
    }
    if (a.preflight) {
        const std::string method = trim(*req.headers.get("Access-Control-Request-Method"));
        if (!listed(p.methods, method)) {
            a.refused = "method " + method + " is not allowed";
            return a;
        }
        if (const std::string* hs = req.headers.get("Access-Control-Request-Headers")) {
            std::string_view rest = *hs;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                const std::string h = trim(rest.substr(0, comma));
                if (!h.empty() && !listed(p.headers, h)) {
                    a.refused = "header " + h + " is not allowed";
                    return a;
                }
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            }
        }
    }
    a.fields.add("Access-Control-Allow-Origin", wildcard ? "*" : *origin);
    if (p.credentials)
        a.fields.add("Access-Control-Allow-Credentials", "true");
    if (a.preflight) {
        a.fields.add("Access-Control-Allow-Methods", join(p.methods));
        a.fields.add("Access-Control-Allow-Headers", join(p.headers));
        a.fields.add("Access-Control-Max-Age", std::to_string(p.max_age));
    } else {
        a.fields.add("Access-Control-Expose-Headers", join(p.expose));
    }
    return a;
}

}  // namespace rest
