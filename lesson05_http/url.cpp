#include "url.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cctype>

namespace http {

namespace {

std::string lower_ascii(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::uint16_t default_port(const std::string& scheme) { return scheme == "https" ? 443 : 80; }

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void check_chars(std::string_view part, const char* what)
{
    for (char c : part) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f)
            throw UrlError(std::string("the URL's ") + what + " has a space or control character (encode it, e.g. %20)");
    }
}

// RFC 3986 §5.2.4: "/a/b/../c/./d" → "/a/c/d".
std::string remove_dot_segments(std::string_view path)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    const bool trailing = path.ends_with("/.") || path.ends_with("/..") || path == "." || path == "..";
    while (i <= path.size()) {
        const auto slash = path.find('/', i);
        const auto seg = path.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
        if (seg == "..") {
            if (!out.empty())
                out.pop_back();
        } else if (seg != "." && !(seg.empty() && i == 0)) {
            out.push_back(seg);
        }
        if (slash == std::string_view::npos)
            break;
        i = slash + 1;
    }
    std::string result;
    for (auto seg : out) {
        result += '/';
        result.append(seg);
    }
    if (trailing || result.empty())
        result += '/';
    return result;
}

}  // namespace

std::string Url::target() const { return has_query ? path + "?" + query : path; }

std::string Url::host_header() const
{
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != default_port(scheme))
        h += ":" + std::to_string(port);
    return h;
}

std::string Url::origin() const
{
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return scheme + "://" + h + ":" + std::to_string(port);
}

std::string Url::str() const { return scheme + "://" + host_header() + target(); }

Url parse_url(std::string_view text)
{
    Url url;
    const auto sep = text.find("://");
    if (sep == std::string_view::npos)
        throw UrlError("'" + std::string(text.substr(0, 100)) + "' is not an absolute URL (http://host/path)");
    url.scheme = lower_ascii(text.substr(0, sep));
    if (url.scheme != "http" && url.scheme != "https")
        throw UrlError("unsupported URL scheme '" + url.scheme + "' (http or https)");
    text.remove_prefix(sep + 3);
    if (const auto hash = text.find('#'); hash != std::string_view::npos)
        text = text.substr(0, hash);  // the fragment stays with the client
    const auto end = text.find_first_of("/?");
    const auto authority = text.substr(0, end);
    auto rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    if (authority.find('@') != std::string_view::npos)
        throw UrlError("user names and passwords in URLs are not supported");

    std::string_view host, port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            throw UrlError("IPv6 address without its closing ']'");
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            throw UrlError("unexpected text after the IPv6 address");
        if (!after.empty())
            port = after.substr(1);
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            }))
            throw UrlError("bad IPv6 address '" + std::string(host) + "'");
    } else {
        const auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos)
            port = authority.substr(colon + 1);
        if (host.empty())
            throw UrlError("the URL has no host");
        if (!std::all_of(host.begin(), host.end(),
                         [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'; }))
            throw UrlError("bad host name '" + std::string(host.substr(0, 100)) + "'");
    }
    url.host = lower_ascii(host);
    url.port = default_port(url.scheme);
    if (!port.empty()) {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535)
            throw UrlError("bad port '" + std::string(port.substr(0, 20)) + "' (1 to 65535)");
        url.port = static_cast<std::uint16_t>(std::stoi(std::string(port)));
    }
    const auto q = rest.find('?');
    auto path = rest.substr(0, q);
    check_chars(path, "path");
    url.path = path.empty() ? "/" : std::string(path);
    if (q != std::string_view::npos) {
        url.has_query = true;
        url.query = std::string(rest.substr(q + 1));
        check_chars(url.query, "query");
    }
    return url;
}

Url resolve_url(const Url& base, std::string_view ref)
{
    if (const auto hash = ref.find('#'); hash != std::string_view::npos)
        ref = ref.substr(0, hash);
    const auto colon = ref.find(':');
    const auto slash = ref.find('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash) && colon > 0 &&
        std::all_of(ref.begin(), ref.begin() + static_cast<long>(colon),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; }))
        return parse_url(ref);
    if (ref.starts_with("//"))
        return parse_url(base.scheme + ":" + std::string(ref));
    Url url = base;
    if (ref.empty())
        return url;
    const auto q = ref.find('?');
    const auto path = ref.substr(0, q);
    if (q != std::string_view::npos) {
        url.has_query = true;
        url.query = std::string(ref.substr(q + 1));
        check_chars(url.query, "query");
    } else if (!path.empty()) {
        url.has_query = false;
        url.query.clear();
    }
    if (!path.empty()) {
        check_chars(path, "path");
        if (path.front() == '/')
            url.path = remove_dot_segments(path);
        else
            url.path = remove_dot_segments(base.path.substr(0, base.path.rfind('/') + 1) + std::string(path));
    }
    return url;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size())
                return std::nullopt;
            const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view text, std::string_view keep)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' ||
            (c != 0 && keep.find(c) != std::string_view::npos)) {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query)
{
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto item = query.substr(0, amp);
        if (!item.empty()) {
            const auto eq = item.find('=');
            const auto k = item.substr(0, eq);
            const auto v = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
            out.emplace_back(percent_decode(k, true).value_or(std::string(k)), percent_decode(v, true).value_or(std::string(v)));
        }
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

Url url_argument(const std::optional<std::string>& given, const std::string& host, std::uint16_t port)
{
    const std::string text = given ? *given
                                   : "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                                         std::to_string(port) + "/";
    try {
        return parse_url(text);
    } catch (const UrlError& e) {
        throw netlab::UsageError(e.what());
    }
}

std::string urlencode_form_item(std::string_view item)
{
    const auto eq = item.find('=');
    if (eq == std::string_view::npos)
        return percent_encode(item);
    if (eq == 0)
        return percent_encode(item.substr(1));
    return std::string(item.substr(0, eq)) + "=" + percent_encode(item.substr(eq + 1));
}

}  // namespace http
