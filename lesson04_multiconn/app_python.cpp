// app_python.cpp — Python's json.dumps spacing and repr(), for lecture-exact transcripts.
#include "app_python.hpp"

#include <cstdint>

namespace app {

std::string json_dumps(const Json& value)
{
    if (value.is_object()) {
        std::string out = "{";
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (it != value.begin())
                out += ", ";
            out += Json(it.key()).dump() + ": " + json_dumps(it.value());
        }
        return out + "}";
    }
    if (value.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < value.size(); ++i)
            out += (i ? ", " : "") + json_dumps(value[i]);
        return out + "]";
    }
    return value.dump();  // strings, numbers, true/false/null: nlohmann escapes as Python does
}

namespace {
// Decodes one UTF-8 sequence at text[i] (the text came through nlohmann, so it is valid).
std::uint32_t next_code_point(std::string_view text, std::size_t& i)
{
    const auto lead = static_cast<unsigned char>(text[i++]);
    int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    std::uint32_t cp = extra == 3 ? lead & 0x07 : extra == 2 ? lead & 0x0F : extra == 1 ? lead & 0x1F : lead;
    while (extra-- > 0 && i < text.size())
        cp = (cp << 6) | (static_cast<unsigned char>(text[i++]) & 0x3F);
    return cp;
}

// str.isprintable() is false for these (control, format and separator characters other than
// the space); repr() shows them escaped. A short list, enough for what our programs print.
bool python_printable(std::uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD)
        return false;
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) || cp == 0xFEFF)
        return false;
    return true;
}
}  // namespace

std::string python_repr(std::string_view text)
{
    const bool dq = text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
    const char quote = dq ? '"' : '\'';
    static const char hex[] = "0123456789abcdef";
    std::string out(1, quote);
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        const std::uint32_t cp = next_code_point(text, i);
        if (cp == '\\' || cp == static_cast<std::uint32_t>(quote)) {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (!python_printable(cp)) {
            const int digits = cp <= 0xFF ? 2 : 4;
            out += digits == 2 ? "\\x" : "\\u";
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
                out += hex[(cp >> shift) & 15];
        } else {
            out.append(text.substr(start, i - start));
        }
    }
    return out + quote;
}

std::string python_repr(const Json& value)
{
    switch (value.type()) {
    case Json::value_t::object: {
        std::string out = "{";
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (it != value.begin())
                out += ", ";
            out += python_repr(std::string_view(it.key())) + ": " + python_repr(it.value());
        }
        return out + "}";
    }
    case Json::value_t::array: {
        std::string out = "[";
        for (std::size_t i = 0; i < value.size(); ++i)
            out += (i ? ", " : "") + python_repr(value[i]);
        return out + "]";
    }
    case Json::value_t::string: return python_repr(std::string_view(value.get_ref<const std::string&>()));
    case Json::value_t::boolean: return value.get<bool>() ? "True" : "False";
    case Json::value_t::null: return "None";
    default: return value.dump();  // numbers
    }
}

}  // namespace app
