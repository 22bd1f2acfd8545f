// smtp.cpp — see smtp.hpp.
#include "smtp.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace smtp {

std::string Reply::text() const
{
    std::string out;
    for (const auto& l : lines)
        out += (out.empty() ? "" : " ") + l;
    return out;
}

std::optional<Reply> ReplyParser::next()
{
    for (;;) {
        const std::size_t nl = buf_.find('\n', pos_);
        if (nl == std::string::npos) {
            if (buf_.size() - pos_ > kMaxLine)
                throw Error("a reply line longer than " + std::to_string(kMaxLine) + " bytes");
            if (pos_ > 0) {  // keep the buffer small on a long dialogue
                buf_.erase(0, pos_);
                pos_ = 0;
            }
            return std::nullopt;
        }
        std::string_view line(buf_.data() + pos_, nl - pos_);
        pos_ = nl + 1;
        if (line.size() > kMaxLine)
            throw Error("a reply line longer than " + std::to_string(kMaxLine) + " bytes");
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.size() < 3 || !std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }) ||
            line[0] < '2' || line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-'))
            throw Error("malformed reply line '" + std::string(line.substr(0, 80)) + "'");
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (!partial_.lines.empty() && code != partial_.code)
            throw Error("a multi-line reply changed its code from " + std::to_string(partial_.code) + " to " +
                        std::to_string(code));
        if (partial_.lines.size() >= kMaxLines)
            throw Error("a reply of more than " + std::to_string(kMaxLines) + " lines");
        partial_.code = code;
        partial_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
        if (line.size() == 3 || line[3] == ' ') {
            Reply r = std::move(partial_);
            partial_ = Reply{};
            return r;
        }
    }
}

bool Extensions::has(std::string_view keyword) const
{
    for (const auto& l : lines) {
        const std::string_view word = std::string_view(l).substr(0, l.find(' '));
        if (word.size() == keyword.size() && std::equal(word.begin(), word.end(), keyword.begin(), [](char a, char b) {
                return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
            }))
            return true;
    }
    return false;
}

std::vector<std::string> Extensions::params(std::string_view keyword) const
{
    std::vector<std::string> out;
    for (const auto& l : lines) {
        std::string upper = l;
        for (char& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper.rfind(std::string(keyword) + " ", 0) != 0)
            continue;
        std::string_view rest = std::string_view(upper).substr(keyword.size());
        while (!rest.empty()) {
            const auto b = rest.find_first_not_of(' ');
            if (b == std::string_view::npos)
                break;
            rest.remove_prefix(b);
            const auto e = rest.find(' ');
            out.emplace_back(rest.substr(0, e));
            rest = e == std::string_view::npos ? std::string_view() : rest.substr(e);
        }
    }
    return out;
}

Extensions parse_ehlo(const Reply& ehlo)
{
    Extensions x;
    if (ehlo.lines.size() > 1)
        x.lines.assign(ehlo.lines.begin() + 1, ehlo.lines.end());
    return x;
}

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool is_ascii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string encode_header_word(std::string_view text)
{
    if (is_ascii(text))
        return std::string(text);
    // Encoded words of at most 75 characters (RFC 2047 §2): 45 bytes → 60 base64 characters,
    // cut only between UTF-8 characters, folded onto continuation lines as Python does.
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = std::min(at + 45, text.size());
        while (end < text.size() && end > at + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        out += (out.empty() ? "" : "\r\n ") + std::string("=?utf-8?b?") + base64(text.substr(at, end - at)) + "?=";
        at = end;
    }
    return out;
}

namespace {

std::string crlf_lines(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
        } else if (text[i] == '\n') {
            out += "\r\n";
        } else {
            out += text[i];
        }
    }
    if (!out.ends_with("\r\n"))
        out += "\r\n";
    return out;
}

bool short_lines(std::string_view crlf)
{
    std::size_t start = 0;
    while (start < crlf.size()) {
        const auto e = crlf.find("\r\n", start);
        if (e - start > 998)
            return false;
        start = e + 2;
    }
    return true;
}

std::string one_line(std::string_view s)  // a header value never carries a line break
{
    std::string out;
    for (char c : s)
        out += c == '\r' || c == '\n' ? ' ' : c;
    return out;
}

}  // namespace

std::string build_message(const Message& m, bool eight_bit, std::string* encoding)
{
    const std::string body = crlf_lines(m.body);
    std::string cte;
    std::string payload;
    if (is_ascii(body) && short_lines(body)) {
        cte = "7bit";
        payload = body;
    } else if (eight_bit && short_lines(body)) {
        cte = "8bit";
        payload = body;
    } else {
        cte = "base64";
        const std::string b64 = base64(body);
        for (std::size_t i = 0; i < b64.size(); i += 76)
            payload += b64.substr(i, 76) + "\r\n";
    }
    if (encoding)
        *encoding = cte;
    std::string to;
    for (const auto& t : m.to)
        to += (to.empty() ? "" : ", ") + t;
    return "Content-Type: text/plain; charset=utf-8\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Transfer-Encoding: " +
           cte +
           "\r\n"
           "Subject: " +
           encode_header_word(one_line(m.subject)) +
           "\r\n"
           "From: " +
           one_line(m.from) +
           "\r\n"
           "To: " +
           one_line(to) +
           "\r\n"
           "Date: " +
           m.date +
           "\r\n"
           "Message-ID: " +
           m.message_id +
           "\r\n"
           "\r\n" +
           payload;
}

std::string dot_stuff(std::string_view message)
{
    const std::string crlf = crlf_lines(message);
    std::string out;
    out.reserve(crlf.size() + 8);
    bool line_start = true;
    for (char c : crlf) {
        if (line_start && c == '.')
            out += '.';
        out += c;
        line_start = c == '\n';
    }
    return out + ".\r\n";
}

}  // namespace smtp
