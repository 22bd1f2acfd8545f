// smtp.hpp — SMTP's text, without sockets (smtp_send and the fuzz target share it): the server's
// replies (RFC 5321 §4.2) read incrementally, and the message built as Python's
// email.mime.text.MIMEText builds it (lecture 001), dot-stuffed for DATA.
//
//   S: 250-mail.example.org Hello            a multi-line reply: "250-" on every line but the
//   S: 250-8BITMIME                          last, whose code is followed by a space (or nothing)
//   S: 250 STARTTLS
//
// Watch for:
//  - A reply can come in any number of recv()s, and several replies in one: the parser takes
//    bytes and hands out whole replies, like the HTTP parsers of this lesson.
//  - Every line of one reply must carry the same code; a line is bounded (2048 bytes) and so is
//    the number of lines (100): a server cannot make the client buffer without end.
//  - In DATA a line that is just "." ends the message, so every line that starts with a dot gets
//    one more (RFC 5321 §4.5.2); the server takes it off again.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smtp {

class Error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Reply {
    int code = 0;
    std::vector<std::string> lines;  // the text after "250-" / "250 ", one per line
    std::string text() const;        // the lines joined by a space: "5.1.1 no such user"
    bool positive() const { return code >= 200 && code < 400; }
};

class ReplyParser {
public:
    void feed(std::string_view data) { buf_.append(data); }
    // The next whole reply, or nullopt until all of it has arrived. Throws Error if malformed.
    std::optional<Reply> next();
    std::size_t buffered() const { return buf_.size() - pos_; }

    static constexpr std::size_t kMaxLine = 2048;
    static constexpr std::size_t kMaxLines = 100;

private:
    std::string buf_;
    std::size_t pos_ = 0;
    Reply partial_;
};

// The EHLO reply's extensions: "8BITMIME", "AUTH PLAIN LOGIN" → has("AUTH"), params("AUTH").
struct Extensions {
    std::vector<std::string> lines;  // the reply's lines after the greeting line
    bool has(std::string_view keyword) const;
    std::vector<std::string> params(std::string_view keyword) const;
};
Extensions parse_ehlo(const Reply& ehlo);

struct Message {
    std::string from;
    std::vector<std::string> to;
    std::string subject;
    std::string body;        // UTF-8 text, any line endings
    std::string date;        // "Wed, 02 Dec 2026 00:47:51 +0000"
    std::string message_id;  // "<...@host>"
};

// The message as MIMEText makes it, CRLF line ends: Content-Type text/plain; charset=utf-8,
// MIME-Version, Content-Transfer-Encoding (7bit for short ASCII lines, 8bit when `eight_bit`
// (the server offered 8BITMIME) and the lines are short enough, base64 otherwise), Subject
// (RFC 2047 =?utf-8?b?...?= when not ASCII), From, To, Date, Message-ID.
// `encoding` is set to what was chosen.
std::string build_message(const Message& m, bool eight_bit, std::string* encoding = nullptr);
// "Тема" → "=?utf-8?b?0KLQtdC80LA=?="; ASCII text comes back unchanged.
std::string encode_header_word(std::string_view text);
// CRLF line ends, a dot added to each line that starts with one, and the final ".\r\n".
std::string dot_stuff(std::string_view message);

std::string base64(std::string_view bytes);
bool is_ascii(std::string_view text);

}  // namespace smtp
