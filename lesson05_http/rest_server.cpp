// rest_server — a small JSON resource API (lecture 000 §6: httpx's methods and status codes,
// Flask's routes) with CORS (lecture 002), on 127.0.0.1:5001 (Flask's 5000 is router_server's).
//
//   GET    /notes?filter=milk&limit=10&offset=0   200 {"notes": [...], "total": 3, ...}
//   POST   /notes          {"title": "..."}       201 + Location: /notes/1
//   GET    /notes/1                               200 the note         (404 if there is none)
//   PUT    /notes/1        {"title": "..."}       200 replaced, 201 created
//   PATCH  /notes/1        {"text": "..."}        200 merged
//   DELETE /notes/1                               204
//   HEAD, OPTIONS (Allow); 400 invalid JSON, 404, 405 with Allow, 409 a title taken by another
//   note, 415 a body that is not application/json.
//   GET /user/<username>, /post/<int:post_id>, /path/<path:subpath>: the lecture's Flask routes.
//
// Watch for:
//  - The status code is the answer's first word: 2xx it worked (201: something was created, and
//    Location says where; 204: nothing to send back), 4xx the client asked wrongly, 5xx the
//    server failed. httpx's raise_for_status() looks only at that class.
//  - PUT names the resource and is idempotent (sending it twice leaves the same state); POST asks
//    the collection to create one and a second POST makes a second note.
//  - CORS (--allow-origin): rest.hpp's cors_answer() decides, and every decision shows in the
//    answer's Access-Control-* fields and Vary: Origin.
//
// Run the pair:   ./rest_server --allow-origin http://127.0.0.1:8000      ./rest_client --origin http://127.0.0.1:8000
#include "http_server.hpp"
#include "rest.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <iostream>
#include <map>

namespace {

using nlohmann::json;

constexpr std::size_t kMaxNotes = 10'000;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

http::Reply json_reply(int status, const json& j) { return http::text_reply(status, "application/json", dump(j)); }

http::Reply error(int status, const std::string& message) { return json_reply(status, {{"error", message}}); }

http::Reply allow_reply(int status, const std::string& allow, const std::string& message = "")
{
    http::Reply r = status == 204 ? http::Reply{} : error(status, message);
    r.status = status;
    r.headers.add("Allow", allow);
    return r;
}

class Notes {
public:
    http::Reply collection(const http::Request& req, std::string_view query)
    {
        if (req.method == "GET" || req.method == "HEAD") {
            const rest::ListQuery q = rest::parse_list_query(query);
            json items = json::array();
            std::size_t total = 0;
            for (const auto& [id, note] : notes_) {
                if (!q.filter.empty() && note["title"].get<std::string>().find(q.filter) == std::string::npos &&
                    note["text"].get<std::string>().find(q.filter) == std::string::npos)
                    continue;
                if (total++ >= q.offset && items.size() < q.limit)
                    items.push_back(note);
            }
            http::Reply r = json_reply(200, {{"notes", items}, {"total", total}, {"offset", q.offset}, {"limit", q.limit}});
            r.headers.add("X-Total-Count", std::to_string(total));
            return r;
        }
        if (req.method == "POST") {
            json note = rest::parse_note_input(req.headers, req.body, false);
            check_title(note, 0);
            if (notes_.size() >= kMaxNotes)
                return error(503, "the store is full (" + std::to_string(kMaxNotes) + " notes)");
            const std::uint64_t id = next_id_++;
            store(id, std::move(note));
            http::Reply r = json_reply(201, notes_[id]);
            r.headers.add("Location", "/notes/" + std::to_string(id));
            return r;
        }
        return allow_reply(req.method == "OPTIONS" ? 204 : 405, kCollectionAllow, req.method + " is not allowed on /notes");
    }

    http::Reply item(const http::Request& req, std::uint64_t id)
    {
        const auto it = notes_.find(id);
        const std::string where = "/notes/" + std::to_string(id);
        if (req.method == "GET" || req.method == "HEAD") {
            if (it == notes_.end())
                return error(404, "no note " + where);
            return json_reply(200, it->second);
        }
        if (req.method == "PUT") {
            if (id == 0 || id > 1'000'000'000)
                return error(404, "no note " + where + " (ids are 1 to 1000000000)");
            json note = rest::parse_note_input(req.headers, req.body, false);
            check_title(note, id);
            const bool created = it == notes_.end();
            if (created && notes_.size() >= kMaxNotes)
                return error(503, "the store is full (" + std::to_string(kMaxNotes) + " notes)");
            store(id, std::move(note));
            next_id_ = std::max(next_id_, id + 1);
            http::Reply r = json_reply(created ? 201 : 200, notes_[id]);
            if (created)
                r.headers.add("Location", where);
            return r;
        }
        if (req.method == "PATCH") {
            if (it == notes_.end())
                return error(404, "no note " + where);
            json changes = rest::parse_note_input(req.headers, req.body, true);
            check_title(changes, id);
            for (const auto& [k, v] : changes.items())
                it->second[k] = v;
            return json_reply(200, it->second);
        }
        if (req.method == "DELETE") {
            if (it == notes_.end())
                return error(404, "no note " + where);
            notes_.erase(it);
            http::Reply r;
            r.status = 204;
            return r;
        }
        return allow_reply(req.method == "OPTIONS" ? 204 : 405, kItemAllow, req.method + " is not allowed on " + where);
    }

    static constexpr const char* kCollectionAllow = "GET, HEAD, POST, OPTIONS";
    static constexpr const char* kItemAllow = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS";

private:
    // Two notes may not share a title: 409 Conflict names the one that has it.
    void check_title(const json& note, std::uint64_t self)
    {
        if (!note.contains("title"))
            return;
        for (const auto& [id, other] : notes_)
            if (id != self && other["title"] == note["title"])
                throw rest::InputError(409, "the title is taken by /notes/" + std::to_string(id));
    }
    void store(std::uint64_t id, json fields)
    {
        json note = {{"id", id}, {"title", ""}, {"text", ""}, {"tags", json::array()}};
        for (const auto& [k, v] : fields.items())
            note[k] = v;
        notes_[id] = std::move(note);
    }

    std::map<std::uint64_t, json> notes_;
    std::uint64_t next_id_ = 1;
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("rest_server", "A JSON notes API with the lecture's Flask routes and CORS (lectures 000 §6, 002)",
                        "127.0.0.1", 5001);
        cli.add()  //
            ("allow-origin", "CORS: an origin whose pages may read the answers (repeat it, or '*' for any)",
             cxxopts::value<std::vector<std::string>>())                                      //
            ("allow-credentials", "CORS: let allowed origins send cookies (never with '*')")  //
            ("max-age", "CORS: seconds a browser may cache a preflight's answer",
             cxxopts::value<std::string>()->default_value("600"));
        http::add_server_options(cli);
        auto args = cli.parse(argc, argv);

        rest::CorsPolicy cors;
        if (args.count("allow-origin"))
            cors.origins = args["allow-origin"].as<std::vector<std::string>>();
        for (const auto& o : cors.origins)
            if (o != "*" && o != "null" && !(o.starts_with("http://") || o.starts_with("https://")))
                throw netlab::UsageError("--allow-origin needs scheme://host[:port], 'null' or '*', not '" + o + "'");
        if (cors.origins.size() > 1 && std::find(cors.origins.begin(), cors.origins.end(), "*") != cors.origins.end())
            throw netlab::UsageError("--allow-origin '*' already allows every origin: give it alone");
        cors.credentials = args.count("allow-credentials") > 0;
        if (cors.credentials && cors.origins.size() == 1 && cors.origins[0] == "*")
            throw netlab::UsageError(
                "--allow-credentials cannot go with --allow-origin '*': browsers refuse credentials for '*'");
        cors.max_age = static_cast<int>(netlab::parse_number("max-age", args["max-age"].as<std::string>(), 0, 86400));
        netlab::install_stop_handlers();

        http::ServerConfig config;
        config.program = "rest_server";
        config.server = "Werkzeug/netlab";
        http::read_server_options(args, config);
        Notes notes;
        http::Server server(config, [&](const http::Request& req, const netlab::Endpoint&) {
            const std::string path = req.target.substr(0, req.target.find('?'));
            const std::string_view query = req.target.find('?') == std::string::npos
                                               ? std::string_view()
                                               : std::string_view(req.target).substr(req.target.find('?') + 1);
            const rest::CorsAnswer c = rest::cors_answer(cors, req);
            if (!c.refused.empty())
                netlab::trace("CORS: " + c.refused + ": no Access-Control-Allow-Origin in the answer");
            http::Reply r;
            try {
                if (const auto page = rest::flask_route(path)) {
                    r = req.method == "GET" || req.method == "HEAD" ? http::text_reply(200, "text/html; charset=utf-8", *page)
                        : req.method == "OPTIONS"                   ? allow_reply(204, "GET, HEAD, OPTIONS")
                                                  : allow_reply(405, "GET, HEAD, OPTIONS", req.method + " is not allowed here");
                } else if (path == "/") {
                    r = json_reply(200, {{"notes", "/notes"},
                                         {"routes", {"/user/<username>", "/post/<int:post_id>", "/path/<path:subpath>"}}});
                } else if (const auto np = rest::notes_path(path); np && np->collection) {
                    r = notes.collection(req, query);
                } else if (np && np->id) {
                    r = notes.item(req, *np->id);
                } else {
                    r = error(404, "no resource " + path);
                }
            } catch (const rest::InputError& e) {
                r = error(e.status(), e.what());
            }
            for (const auto& f : c.fields.fields())
                r.headers.add(f.name, f.value);
            return r;
        });
        server.listen(cli.host(), cli.port());
        std::cout << " * Running on http://" << (cli.host().find(':') != std::string::npos ? "[" + cli.host() + "]" : cli.host())
                  << ":" << cli.port() << std::endl;
        server.run();
    });
}
