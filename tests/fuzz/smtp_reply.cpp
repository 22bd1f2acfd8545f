// Fuzz target: SMTP replies (lesson05_http/smtp.hpp) as smtp_send reads them — fed whole and one
// byte at a time, which must give the same replies — and the EHLO extension list built from them.
#include "lesson05_http/smtp.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {
std::string run(std::string_view text, bool bytewise)
{
    smtp::ReplyParser p;
    std::string out;
    try {
        auto drain = [&] {
            while (auto r = p.next()) {
                out += std::to_string(r->code) + ":" + r->text() + "|";
                const auto x = smtp::parse_ehlo(*r);
                (void)x.has("STARTTLS");
                (void)x.params("AUTH");
            }
        };
        if (bytewise)
            for (char c : text) {
                p.feed(std::string_view(&c, 1));
                drain();
            }
        else {
            p.feed(text);
            drain();
        }
    } catch (const smtp::Error&) {
        out += "error";
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string whole = run(text, false);
    const std::string bytes = run(text, true);
    // A line too long is noticed earlier byte by byte; otherwise both ways agree.
    if (whole != bytes && whole.find("error") == std::string::npos && bytes.find("error") == std::string::npos)
        std::abort();
    (void)smtp::dot_stuff(text);
    (void)smtp::encode_header_word(text);
    return 0;
}
