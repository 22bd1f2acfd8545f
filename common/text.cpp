#include "common/text.hpp"

#include <algorithm>
#include <clocale>
#include <cwctype>
#include <locale.h>

namespace netlab {

std::string python_bytes(std::string_view data)
{
    // Python picks double quotes only when the data has a ' and no ".
    const bool dq = data.find('\'') != std::string_view::npos && data.find('"') == std::string_view::npos;
    const char quote = dq ? '"' : '\'';
    static const char hex[] = "0123456789abcdef";
    std::string out = "b";
    out += quote;
    for (unsigned char c : data) {
        if (c == '\\' || c == quote) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + quote;
}

namespace {
// Expected length of a UTF-8 sequence from its lead byte; 0 for a continuation or invalid byte.
std::size_t sequence_length(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}
}  // namespace

std::size_t utf8_complete_prefix(std::string_view data)
{
    // Look back at most 3 bytes for the lead byte of a sequence that is cut short.
    for (std::size_t back = 1; back <= 3 && back <= data.size(); ++back) {
        const auto c = static_cast<unsigned char>(data[data.size() - back]);
        if ((c & 0xC0) == 0x80)
            continue;  // continuation byte: keep looking for the lead
        const std::size_t need = sequence_length(c);
        return need > back ? data.size() - back : data.size();
    }
    return data.size();
}

void utf8_upper_append(std::string_view text, std::string& out)
{
    // C.UTF-8 is built into glibc 2.35+, so this needs no installed locale.
    static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    out.reserve(out.size() + text.size());
    for (std::size_t i = 0; i < text.size();) {
        // A run of ASCII (most of most text) needs no table: copy it, then fix a-z in place. This
        // loop is what keeps an uppercasing echo server as fast as a plain one.
        const std::size_t ascii_end = std::find_if(text.begin() + i, text.end(), [](char c) { return c & 0x80; }) - text.begin();
        if (ascii_end > i) {
            const std::size_t from = out.size();
            out.append(text.substr(i, ascii_end - i));
            std::transform(out.begin() + from, out.end(), out.begin() + from,
                           [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
            i = ascii_end;
            continue;
        }
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t len = sequence_length(lead);
        bool valid = len > 0 && i + len <= text.size();
        char32_t cp = lead & (0x7F >> len);
        for (std::size_t k = 1; valid && k < len; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            valid = (c & 0xC0) == 0x80;
            cp = (cp << 6) | (c & 0x3F);
        }
        if (!valid) {
            out += text[i++];  // not UTF-8: pass the byte through untouched
            continue;
        }
        const char32_t up = utf8 ? static_cast<char32_t>(towupper_l(static_cast<wint_t>(cp), utf8)) : cp;
        if (up < 0x80) {
            out += static_cast<char>(up);
        } else if (up < 0x800) {
            out += static_cast<char>(0xC0 | (up >> 6));
            out += static_cast<char>(0x80 | (up & 0x3F));
        } else if (up < 0x10000) {
            out += static_cast<char>(0xE0 | (up >> 12));
            out += static_cast<char>(0x80 | ((up >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (up & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (up >> 18));
            out += static_cast<char>(0x80 | ((up >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((up >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (up & 0x3F));
        }
        i += len;
    }
}

std::string utf8_upper(std::string_view text)
{
    std::string out;
    utf8_upper_append(text, out);
    return out;
}

}  // namespace netlab
