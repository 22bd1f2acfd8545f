#include "http_message.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

namespace http {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_tchar(unsigned char c)
{
    // token = 1*tchar (RFC 9110 §5.6.2)
    if (c >= '0' && c <= '9')
        return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string_view trim_ows(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Splits a comma-separated field value into its trimmed, non-empty elements.
template <class F>
void for_each_element(std::string_view value, F&& f)
{
    while (!value.empty()) {
        const auto comma = value.find(',');
        auto item = trim_ows(value.substr(0, comma));
        if (!item.empty())
            f(item);
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
}

// "HTTP/1.1" → 11. Throws 400 for anything not of the form HTTP/d.d, 505 for a major version
// other than 1; 1.2 and up are treated as 1.1, the highest we speak (RFC 9110 §6.2).
int parse_version(std::string_view v)
{
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.' || v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
        throw ParseError(400, "malformed HTTP version '" + std::string(v.substr(0, 32)) + "'");
    if (v[5] != '1')
        throw ParseError(505, "HTTP version " + std::string(v) + " is not supported");
    return v[7] == '0' ? 10 : 11;
}

// Content-Length: one decimal number; repeated values (in several fields or one list) must agree.
std::optional<std::uint64_t> content_length(const Headers& h)
{
    std::optional<std::uint64_t> length;
    for (const Field& f : h.fields()) {
        if (!iequals(f.name, "Content-Length"))
            continue;
        bool any = false;
        for_each_element(f.value, [&](std::string_view item) {
            any = true;
            if (item.size() > 18 || !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; }))
                throw ParseError(400, "bad Content-Length '" + std::string(item.substr(0, 32)) + "'");
            std::uint64_t n = 0;
            for (char c : item)
                n = n * 10 + static_cast<unsigned>(c - '0');
            if (length && *length != n)
                throw ParseError(400, "two different Content-Length values");
            length = n;
        });
        if (!any)
            throw ParseError(400, "empty Content-Length");
    }
    return length;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

// ---- Headers -------------------------------------------------------------------------------------
void Headers::add(std::string name, std::string value) { fields_.push_back({std::move(name), std::move(value)}); }

void Headers::set(std::string name, std::string value)
{
    remove(name);
    add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name)
{
    fields_.erase(std::remove_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }),
                  fields_.end());
}

bool Headers::has(std::string_view name) const { return get(name) != nullptr; }

void Headers::continue_last(std::string_view more)
{
    if (fields_.empty())
        return;
    fields_.back().value += ' ';
    fields_.back().value.append(more);
}

const std::string* Headers::get(std::string_view name) const
{
    for (const Field& f : fields_)
        if (iequals(f.name, name))
            return &f.value;
    return nullptr;
}

std::size_t Headers::count(std::string_view name) const
{
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }));
}

bool Headers::has_token(std::string_view name, std::string_view token) const
{
    bool found = false;
    for (const Field& f : fields_)
        if (iequals(f.name, name))
            for_each_element(f.value, [&](std::string_view item) { found = found || iequals(item, token); });
    return found;
}

// ---- messages ------------------------------------------------------------------------------------
bool Request::keep_alive() const
{
    if (headers.has_token("Connection", "close"))
        return false;
    return version >= 11 || headers.has_token("Connection", "keep-alive");
}

bool Request::expects_continue() const
{
    const std::string* e = headers.get("Expect");
    return version >= 11 && e && iequals(*e, "100-continue");
}

std::string Request::request_line() const { return method + " " + target + (version == 10 ? " HTTP/1.0" : " HTTP/1.1"); }

bool Response::keep_alive() const
{
    if (body_until_eof || headers.has_token("Connection", "close"))
        return false;
    return version >= 11 || headers.has_token("Connection", "keep-alive");
}

std::string_view reason_phrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

// ---- the shared parser ---------------------------------------------------------------------------
namespace detail {

std::optional<std::string_view> MessageParser::line(std::size_t from, std::size_t max, int too_long_status, const char* what)
{
    const std::size_t nl = buf_.find('\n', std::max(scan_, pos_));
    if (nl == std::string::npos) {
        scan_ = buf_.size();
        if (buf_.size() - from > max)
            throw ParseError(too_long_status, std::string(what) + " too long");
        return std::nullopt;
    }
    if (nl - from > max)
        throw ParseError(too_long_status, std::string(what) + " too long");
    std::string_view l(buf_.data() + pos_, nl - pos_);
    if (!l.empty() && l.back() == '\r')
        l.remove_suffix(1);  // CRLF; a bare LF is tolerated (RFC 9112 §2.2)
    pos_ = nl + 1;
    scan_ = pos_;
    return l;
}

void MessageParser::parse_field_line(std::string_view l, Headers& into, bool trailer)
{
    if (l.front() == ' ' || l.front() == '\t') {
        // obs-fold: a server must refuse it (RFC 9112 §5.2); a client joins it with a space.
        if (request_ || into.size() == 0)
            throw ParseError(400, "obsolete line folding in a field");
        const auto more = trim_ows(l);
        if (more.find_first_of(std::string_view("\0\r", 2)) != std::string_view::npos)
            throw ParseError(400, "control character in a field value");
        into.continue_last(more);
        return;
    }
    const auto colon = l.find(':');
    if (colon == std::string_view::npos)
        throw ParseError(400, "field line without a colon");
    const auto name = l.substr(0, colon);
    if (!is_token(name))
        throw ParseError(400, "bad field name '" + std::string(name.substr(0, 64)) + "'");
    const auto value = trim_ows(l.substr(colon + 1));
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            throw ParseError(400, "control character in field '" + std::string(name) + "'");
    }
    if (++fields_ > limits_.max_fields)
        throw ParseError(431, std::string(trailer ? "trailer" : "header") + " has more than " +
                                  std::to_string(limits_.max_fields) + " fields");
    into.add(std::string(name), std::string(value));
}

void MessageParser::set_body_framing(const Headers& h, int version, bool no_body)
{
    const bool has_te = h.has("Transfer-Encoding");
    const auto length = content_length(h);
    if (no_body) {
        state_ = State::done;
        return;
    }
    if (has_te) {
        if (request_ && length)
            throw ParseError(400, "both Content-Length and Transfer-Encoding");
        if (request_ && version == 10)
            throw ParseError(400, "Transfer-Encoding in an HTTP/1.0 request");
        std::vector<std::string_view> codings;
        for (const Field& f : h.fields())
            if (iequals(f.name, "Transfer-Encoding"))
                for_each_element(f.value, [&](std::string_view c) { codings.push_back(c); });
        const bool chunked_last = !codings.empty() && iequals(codings.back(), "chunked");
        const auto n_chunked = std::count_if(codings.begin(), codings.end(), [](auto c) { return iequals(c, "chunked"); });
        if (request_) {
            if (!chunked_last || n_chunked != 1)
                throw ParseError(400, "Transfer-Encoding must end with chunked, once");
            if (codings.size() != 1)
                throw ParseError(501, "transfer coding not implemented");
        }
        if (chunked_last) {
            state_ = State::chunk_size;
            return;
        }
        state_ = State::body_eof;  // a response in some other coding ends when the server closes
        return;
    }
    if (length) {
        if (*length > limits_.max_body)
            throw ParseError(
                413, "body of " + std::to_string(*length) + " bytes is over the limit of " + std::to_string(limits_.max_body));
        remaining_ = *length;
        state_ = remaining_ == 0 ? State::done : State::body_length;
        return;
    }
    state_ = request_ ? State::done : State::body_eof;
}

bool MessageParser::parse_body(std::string& body, Headers& trailers)
{
    for (;;) {
        switch (state_) {
        case State::body_length: {
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, buf_.size() - pos_));
            body.append(buf_, pos_, take);
            pos_ += take;
            remaining_ -= take;
            if (remaining_ > 0)
                return false;
            state_ = State::done;
            break;
        }
        case State::body_eof:
            if (body.size() + (buf_.size() - pos_) > limits_.max_body)
                throw ParseError(413, "body over the limit of " + std::to_string(limits_.max_body) + " bytes");
            body.append(buf_, pos_, std::string::npos);
            pos_ = buf_.size();
            if (!eof_)
                return false;
            state_ = State::done;
            break;
        case State::chunk_size: {
            auto l = line(pos_, limits_.max_line, 400, "chunk size line");
            if (!l)
                return false;
            std::size_t i = 0;
            std::uint64_t size = 0;
            while (i < l->size() && std::isxdigit(static_cast<unsigned char>((*l)[i]))) {
                if (i >= 15)
                    throw ParseError(400, "chunk size too large");
                const char c = lower((*l)[i]);
                size = size * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
                ++i;
            }
            if (i == 0)
                throw ParseError(400, "bad chunk size '" + std::string(l->substr(0, 32)) + "'");
            auto rest = l->substr(i);
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
                rest.remove_prefix(1);
            if (!rest.empty() && rest.front() != ';')  // chunk extensions are allowed and ignored
                throw ParseError(400, "bad chunk size '" + std::string(l->substr(0, 32)) + "'");
            if (size == 0) {
                state_ = State::trailers;
                break;
            }
            if (body.size() + size > limits_.max_body)
                throw ParseError(413, "chunked body over the limit of " + std::to_string(limits_.max_body) + " bytes");
            remaining_ = size;
            state_ = State::chunk_data;
            break;
        }
        case State::chunk_data: {
            const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, buf_.size() - pos_));
            body.append(buf_, pos_, take);
            pos_ += take;
            remaining_ -= take;
            if (remaining_ > 0)
                return false;
            state_ = State::chunk_crlf;
            break;
        }
        case State::chunk_crlf: {
            auto l = line(pos_, 1, 400, "chunk data");
            if (!l)
                return false;
            if (!l->empty())
                throw ParseError(400, "chunk data longer than its size");
            state_ = State::chunk_size;
            break;
        }
        case State::trailers: {
            const std::size_t from = trailer_start_ ? *trailer_start_ : pos_;
            trailer_start_ = from;
            auto l = line(from, limits_.max_head, 431, "trailer section");
            if (!l)
                return false;
            if (l->empty()) {
                trailer_start_.reset();
                state_ = State::done;
                break;
            }
            parse_field_line(*l, trailers, true);
            break;
        }
        case State::done: return true;
        default: return true;
        }
    }
}

void MessageParser::compact()
{
    // Keep the current head (its raw bytes are handed out) and an unfinished trailer section.
    std::size_t keep_from = state_ == State::fields ? head_start_ : pos_;
    if (trailer_start_)
        keep_from = std::min(keep_from, *trailer_start_);
    if (keep_from == 0 || (keep_from < 16 * 1024 && keep_from != buf_.size()))
        return;
    buf_.erase(0, keep_from);
    pos_ -= keep_from;
    scan_ = scan_ >= keep_from ? scan_ - keep_from : 0;
    head_start_ = head_start_ >= keep_from ? head_start_ - keep_from : 0;
    if (trailer_start_)
        *trailer_start_ -= keep_from;
}

void MessageParser::check_eof()
{
    if (eof_ && (state_ != State::start || buffered() > 0))
        throw ParseError(400, "connection closed in the middle of a message");
}

}  // namespace detail

// ---- requests ------------------------------------------------------------------------------------
std::optional<Request> RequestParser::next()
{
    compact();
    for (;;) {
        if (state_ == State::start) {
            auto l = line(pos_, limits_.max_line, 414, "request line");
            if (!l) {
                check_eof();
                return std::nullopt;
            }
            if (l->empty()) {  // empty lines before a request are ignored (RFC 9112 §2.2)
                head_start_ = pos_;
                continue;
            }
            const auto sp1 = l->find(' ');
            const auto sp2 = l->rfind(' ');
            if (sp1 == std::string_view::npos || sp1 == sp2)
                throw ParseError(400, "malformed request line '" + std::string(l->substr(0, 64)) + "'");
            msg_ = Request{};
            const auto method = l->substr(0, sp1);
            const auto target = l->substr(sp1 + 1, sp2 - sp1 - 1);
            if (!is_token(method))
                throw ParseError(400, "malformed method in '" + std::string(l->substr(0, 64)) + "'");
            if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
                    const auto u = static_cast<unsigned char>(c);
                    return u <= 0x20 || u == 0x7f;
                }))
                throw ParseError(400, "malformed request target in '" + std::string(l->substr(0, 64)) + "'");
            msg_.version = parse_version(l->substr(sp2 + 1));
            msg_.method = std::string(method);
            msg_.target = std::string(target);
            fields_ = 0;
            state_ = State::fields;
            continue;
        }
        if (state_ == State::fields) {
            auto l = line(head_start_, limits_.max_head, 431, "request header");
            if (!l) {
                check_eof();
                return std::nullopt;
            }
            if (!l->empty()) {
                parse_field_line(*l, msg_.headers, false);
                continue;
            }
            msg_.raw_head.assign(buf_, head_start_, pos_ - head_start_);
            const auto hosts = msg_.headers.count("Host");
            if (hosts > 1 || (msg_.version == 11 && hosts == 0))
                throw ParseError(400, hosts ? "more than one Host field" : "HTTP/1.1 request without Host");
            set_body_framing(msg_.headers, msg_.version, false);
            continue;
        }
        if (!parse_body(msg_.body, msg_.trailers)) {
            check_eof();
            return std::nullopt;
        }
        state_ = State::start;
        head_start_ = pos_;
        return std::exchange(msg_, Request{});
    }
}

bool RequestParser::in_body() const
{
    return state_ == State::body_length || state_ == State::chunk_size || state_ == State::chunk_data ||
           state_ == State::chunk_crlf || state_ == State::trailers;
}

// ---- responses -----------------------------------------------------------------------------------
void ResponseParser::finish() { eof_ = true; }

std::optional<Response> ResponseParser::next()
{
    compact();
    for (;;) {
        if (state_ == State::start) {
            auto l = line(pos_, limits_.max_line, 400, "status line");
            if (!l) {
                check_eof();
                return std::nullopt;
            }
            msg_ = Response{};
            // HTTP/1.1 SP 3DIGIT SP [reason]; the space before an empty reason is often missing.
            if (l->size() < 12 || (l->size() > 12 && (*l)[12] != ' ') || (*l)[8] != ' ' ||
                !std::all_of(l->begin() + 9, l->begin() + 12, [](char c) { return c >= '0' && c <= '9'; }))
                throw ParseError(400, "malformed status line '" + std::string(l->substr(0, 64)) + "'");
            msg_.version = parse_version(l->substr(0, 8));
            msg_.status = std::stoi(std::string(l->substr(9, 3)));
            if (msg_.status < 100)
                throw ParseError(400, "status code below 100");
            if (l->size() > 13)
                msg_.reason = std::string(l->substr(13));
            fields_ = 0;
            state_ = State::fields;
            continue;
        }
        if (state_ == State::fields) {
            auto l = line(head_start_, limits_.max_head, 431, "response header");
            if (!l) {
                check_eof();
                return std::nullopt;
            }
            if (!l->empty()) {
                parse_field_line(*l, msg_.headers, false);
                continue;
            }
            msg_.raw_head.assign(buf_, head_start_, pos_ - head_start_);
            const bool no_body = head_request_ || msg_.status < 200 || msg_.status == 204 || msg_.status == 304;
            set_body_framing(msg_.headers, msg_.version, no_body);
            msg_.body_until_eof = state_ == State::body_eof;
            continue;
        }
        if (!parse_body(msg_.body, msg_.trailers)) {
            check_eof();
            return std::nullopt;
        }
        state_ = State::start;
        head_start_ = pos_;
        return std::exchange(msg_, Response{});
    }
}

// ---- writers -------------------------------------------------------------------------------------
namespace {
void append_fields(std::string& out, const Headers& h)
{
    for (const Field& f : h.fields()) {
        out += f.name;
        out += ": ";
        out += f.value;
        out += "\r\n";
    }
    out += "\r\n";
}
}  // namespace

std::string serialize_head(const Response& r)
{
    std::string out = r.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += r.reason.empty() ? std::string(reason_phrase(r.status)) : r.reason;
    out += "\r\n";
    append_fields(out, r.headers);
    return out;
}

std::string serialize(const Response& r) { return serialize_head(r) + r.body; }

std::string serialize(const Request& r)
{
    std::string out = r.request_line() + "\r\n";
    append_fields(out, r.headers);
    return out + r.body;
}

std::string chunked(std::string_view body)
{
    std::string out;
    if (!body.empty()) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", body.size());
        out += size;
        out.append(body);
        out += "\r\n";
    }
    return out + "0\r\n\r\n";
}

// ---- dates ---------------------------------------------------------------------------------------
namespace {
constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 7> kLongDays = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A cursor over the date text; every read checks what it expects.
struct Scan {
    std::string_view s;
    bool ok = true;
    bool lit(std::string_view t)
    {
        if (ok && s.substr(0, t.size()) == t) {
            s.remove_prefix(t.size());
            return true;
        }
        ok = false;
        return false;
    }
    int num(std::size_t digits, bool space_pad = false)
    {
        int n = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            if (!ok || s.empty()) {
                ok = false;
                return 0;
            }
            const char c = s.front();
            if (space_pad && i == 0 && c == ' ') {
                s.remove_prefix(1);
                continue;
            }
            if (c < '0' || c > '9') {
                ok = false;
                return 0;
            }
            n = n * 10 + (c - '0');
            s.remove_prefix(1);
        }
        return n;
    }
    struct TimeOfDay {
        int h = 0, m = 0, s = 0;
    };
    TimeOfDay time_of_day()  // HH:MM:SS, the same in all three formats
    {
        TimeOfDay t;
        t.h = num(2);
        lit(":");
        t.m = num(2);
        lit(":");
        t.s = num(2);
        return t;
    }
    int month()
    {
        for (std::size_t i = 0; i < kMonths.size(); ++i)
            if (ok && s.substr(0, 3) == kMonths[i]) {
                s.remove_prefix(3);
                return static_cast<int>(i);
            }
        ok = false;
        return 0;
    }
    template <std::size_t N>
    void day_name(const std::array<const char*, N>& names)
    {
        for (const char* n : names)
            if (ok && s.substr(0, std::strlen(n)) == n) {
                s.remove_prefix(std::strlen(n));
                return;
            }
        ok = false;
    }
};

std::optional<std::int64_t> make_time(int year, int mon, int day, int h, int m, int sec)
{
    if (day < 1 || day > 31 || h > 23 || m > 59 || sec > 60 || year < 1900)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    return static_cast<std::int64_t>(::timegm(&tm));
}
}  // namespace

std::string format_http_date(std::int64_t unix_seconds)
{
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char out[40];
    std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                  kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

std::optional<std::int64_t> parse_http_date(std::string_view text)
{
    {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        Scan c{text};
        c.day_name(kDays);
        c.lit(", ");
        const int day = c.num(2);
        c.lit(" ");
        const int mon = c.month();
        c.lit(" ");
        const int year = c.num(4);
        c.lit(" ");
        const auto t = c.time_of_day();
        c.lit(" GMT");
        if (c.ok && c.s.empty())
            return make_time(year, mon, day, t.h, t.m, t.s);
    }
    {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        Scan c{text};
        c.day_name(kLongDays);
        c.lit(", ");
        const int day = c.num(2);
        c.lit("-");
        const int mon = c.month();
        c.lit("-");
        const int yy = c.num(2);
        c.lit(" ");
        const auto t = c.time_of_day();
        c.lit(" GMT");
        if (c.ok && c.s.empty())
            return make_time(yy < 70 ? 2000 + yy : 1900 + yy, mon, day, t.h, t.m, t.s);
    }
    {  // asctime: Sun Nov  6 08:49:37 1994
        Scan c{text};
        c.day_name(kDays);
        c.lit(" ");
        const int mon = c.month();
        c.lit(" ");
        const int day = c.num(2, true);
        c.lit(" ");
        const auto t = c.time_of_day();
        c.lit(" ");
        const int year = c.num(4);
        if (c.ok && c.s.empty())
            return make_time(year, mon, day, t.h, t.m, t.s);
    }
    return std::nullopt;
}

std::string html_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#x27;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace http
