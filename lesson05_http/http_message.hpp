// http_message.hpp — HTTP/1.1 messages as bytes (RFC 9112): incremental parsers and writers.
//
// Lectures 000 §5 and 001 build a request by hand and split the answer at "\r\n\r\n". This is
// that idea done the way a production server must: bytes arrive in pieces of any size, so the
// parsers take whatever recv() returned (feed) and hand out a message once all of it is there
// (next). A message cut at any byte boundary parses exactly as when it arrives in one piece.
//
// Watch for:
//  - Field names are case-insensitive ("content-length" == "Content-Length"); CRLF ends lines,
//    a bare LF is tolerated on input; the head ends at the first empty line.
//  - The body's length comes from Content-Length or Transfer-Encoding: chunked. A request with
//    both, or with two different Content-Lengths, is refused (400): two servers reading the same
//    bytes differently is how request smuggling starts.
//  - Every part is bounded: request line (414), head bytes and field count (431), body (413).
//  - No sockets here: the programs, the tests and the fuzzers all run this same code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace http {

// ---- fields --------------------------------------------------------------------------------------
bool iequals(std::string_view a, std::string_view b);  // ASCII case-insensitive

struct Field {
    std::string name;
    std::string value;
};

class Headers {
public:
    void add(std::string name, std::string value);
    void set(std::string name, std::string value);  // replaces every field of that name
    void remove(std::string_view name);
    bool has(std::string_view name) const;
    // The first field of that name, or nullptr.
    const std::string* get(std::string_view name) const;
    std::size_t count(std::string_view name) const;
    // Does a comma-separated field (Connection, Transfer-Encoding...) list `token`?
    bool has_token(std::string_view name, std::string_view token) const;
    // A folded continuation line (obs-fold, responses only): joined to the last field with a space.
    void continue_last(std::string_view more);

    const std::vector<Field>& fields() const { return fields_; }
    std::size_t size() const { return fields_.size(); }

private:
    std::vector<Field> fields_;
};

// ---- messages ------------------------------------------------------------------------------------
struct Request {
    std::string method;  // GET
    std::string target;  // /path?query, as sent
    int version = 11;    // 10 or 11 (HTTP/1.0, HTTP/1.1)
    Headers headers;
    std::string body;      // decoded (chunked framing removed)
    Headers trailers;      // fields after a chunked body
    std::string raw_head;  // request line and fields exactly as received, up to the empty line

    bool keep_alive() const;           // 1.1 unless "Connection: close"; 1.0 only with "keep-alive"
    bool expects_continue() const;     // "Expect: 100-continue"
    std::string request_line() const;  // "GET / HTTP/1.1" (for logs)
};

struct Response {
    int version = 11;
    int status = 200;
    std::string reason;  // "OK"
    Headers headers;
    std::string body;
    Headers trailers;
    std::string raw_head;
    bool body_until_eof = false;  // the body had no length: it ended when the server closed

    bool keep_alive() const;
};

// "OK" for 200, "Not Found" for 404...; "" for codes it does not know.
std::string_view reason_phrase(int status);

// ---- limits and errors ---------------------------------------------------------------------------
struct Limits {
    std::size_t max_line = 8 * 1024;          // request line or status line → 414 (requests)
    std::size_t max_head = 64 * 1024;         // all fields together → 431
    std::size_t max_fields = 100;             // → 431
    std::size_t max_body = 16 * 1024 * 1024;  // decoded body → 413
};

// The message is malformed or too big; status() is what a server answers (400, 413, 414, 431,
// 501, 505). The parser is unusable afterwards: the connection must be closed.
class ParseError : public std::runtime_error {
public:
    ParseError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

// ---- the parsers ---------------------------------------------------------------------------------
namespace detail {
// What requests and responses share: the head's field lines, then the body's framing.
class MessageParser {
public:
    explicit MessageParser(Limits limits, bool is_request) : limits_(limits), request_(is_request) {}
    void feed(std::string_view data) { buf_.append(data.data(), data.size()); }
    std::size_t buffered() const { return buf_.size() - pos_; }  // bytes not yet part of a message

protected:
    enum class State { start, fields, body_length, chunk_size, chunk_data, chunk_crlf, trailers, body_eof, done };

    // One line from pos_ (without CR LF), or nullopt if its end has not arrived. Throws with
    // `too_long_status` once the bytes from `from` to the line's end pass `max`.
    std::optional<std::string_view> line(std::size_t from, std::size_t max, int too_long_status, const char* what);
    void parse_field_line(std::string_view line, Headers& into, bool trailer);
    // Runs the body states; true when the message is complete.
    bool parse_body(std::string& body, Headers& trailers);
    void set_body_framing(const Headers& h, int version, bool no_body);
    void compact();    // drops consumed bytes (so a long keep-alive connection stays small)
    void check_eof();  // after the peer closed: a half message is an error

    Limits limits_;
    bool request_;
    std::string buf_;
    std::size_t pos_ = 0;         // where the unparsed bytes start
    std::size_t head_start_ = 0;  // where the current message's head started in buf_
    std::size_t scan_ = 0;        // where the search for the next '\n' resumes
    std::size_t fields_ = 0;      // fields (and trailer fields) of the current message
    std::optional<std::size_t> trailer_start_;
    State state_ = State::start;
    std::uint64_t remaining_ = 0;  // body_length / chunk_data: bytes still to come
    bool eof_ = false;             // the peer closed (responses read to EOF)
};
}  // namespace detail

class RequestParser : public detail::MessageParser {
public:
    explicit RequestParser(Limits limits = {}) : MessageParser(limits, true) {}
    // The next complete request, in order (pipelined requests are kept for later calls);
    // nullopt until all of it has arrived. Throws ParseError.
    std::optional<Request> next();
    // The head has arrived and the body is still coming (answer "100 Continue" now if asked).
    bool in_body() const;
    const Request& current() const { return msg_; }
    // Some bytes of a request that is not complete yet are here.
    bool partial() const { return state_ != State::start || buffered() > 0; }

private:
    Request msg_;
};

class ResponseParser : public detail::MessageParser {
public:
    explicit ResponseParser(Limits limits = {}) : MessageParser(limits, false) {}
    // Before each response: the request's method (HEAD responses have no body).
    void expect(std::string_view method) { head_request_ = iequals(method, "HEAD"); }
    // The peer closed: a body read to EOF ends here; anything else incomplete is an error.
    void finish();
    // The next complete response (1xx interim responses included: check status); nullopt until
    // all of it is here. Throws ParseError.
    std::optional<Response> next();
    bool idle() const { return state_ == State::start && buffered() == 0; }

private:
    Response msg_;
    bool head_request_ = false;
};

// ---- writers -------------------------------------------------------------------------------------
// "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n" + body. Nothing is added: callers set the
// framing fields (Content-Length...) themselves, as a hand-written message would.
std::string serialize(const Response& r);
std::string serialize(const Request& r);
std::string serialize_head(const Response& r);  // without the body (HEAD answers, sendfile)
// A body in chunked framing, in one chunk, with the last chunk: "5\r\nhello\r\n0\r\n\r\n".
std::string chunked(std::string_view body);

// ---- dates (IMF-fixdate, RFC 9110 §5.6.7) --------------------------------------------------------
// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string format_http_date(std::int64_t unix_seconds);
// IMF-fixdate, and the two obsolete forms a recipient must accept (RFC 850, asctime).
std::optional<std::int64_t> parse_http_date(std::string_view text);

// ---- small helpers -------------------------------------------------------------------------------
// HTML-escapes &, <, >, " and ' (for pages that show user-controlled text).
std::string html_escape(std::string_view text);

}  // namespace http
