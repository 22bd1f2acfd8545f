// decrypt_cipher.hpp — the cipher and the dictionary of the practice task "decrypt" (lecture 001,
// «Практика» 1), shared by decrypt_server (which decrypts) and decrypt_client (--encrypt).
//
// The cipher is Caesar's: every letter moves 3 places along its alphabet, wrapping at the end —
// Latin a..z (hello → khoor) and the 32 Russian letters а..я without ё (мир → плу); capitals
// likewise; everything else (digits, ё, punctuation) stays as it is.
//
// The server does not run the cipher backwards: it looks each word up in its dictionary, a map
// from the encrypted form to the plain word, built once from kPlainWords. A word that is not in
// the dictionary comes back as "???" — the server only knows the words it was given.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace decrypt {

inline constexpr int kShift = 3;

inline constexpr std::array<std::string_view, 20> kPlainWords = {
    "hello",  "world", "socket", "server", "client", "python", "network",   "message", "secret", "thread",
    "привет", "мир",   "сокет",  "сервер", "клиент", "сеть",   "сообщение", "секрет",  "поток",  "пароль",
};

inline constexpr std::string_view kUnknown = "???";

// Shifts one code point along its alphabet; shift may be negative (decryption).
inline std::uint32_t shift_letter(std::uint32_t cp, int shift)
{
    auto rotate = [shift](std::uint32_t c, std::uint32_t first, int size) {
        return first + static_cast<std::uint32_t>(((static_cast<int>(c - first) + shift) % size + size) % size);
    };
    if (cp >= 'a' && cp <= 'z')
        return rotate(cp, 'a', 26);
    if (cp >= 'A' && cp <= 'Z')
        return rotate(cp, 'A', 26);
    if (cp >= 0x0430 && cp <= 0x044F)
        return rotate(cp, 0x0430, 32);  // а..я
    if (cp >= 0x0410 && cp <= 0x042F)
        return rotate(cp, 0x0410, 32);  // А..Я
    return cp;
}

// Caesar over UTF-8 text. Letters in the two alphabets take the same number of bytes before and
// after, so the rest of the text is copied byte for byte (invalid UTF-8 included).
inline std::string caesar(std::string_view text, int shift = kShift)
{
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto c0 = static_cast<unsigned char>(text[i]);
        if (c0 < 0x80) {
            out += static_cast<char>(shift_letter(c0, shift));
            ++i;
        } else if ((c0 == 0xD0 || c0 == 0xD1) && i + 1 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {  // the Cyrillic block U+0400..U+047F
            const std::uint32_t cp = ((c0 & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
            const std::uint32_t r = shift_letter(cp, shift);
            out += static_cast<char>(0xC0 | (r >> 6));
            out += static_cast<char>(0x80 | (r & 0x3F));
            i += 2;
        } else {
            out += static_cast<char>(c0);
            ++i;
        }
    }
    return out;
}

// The server's dictionary: encrypted word → plain word.
inline std::map<std::string, std::string> dictionary()
{
    std::map<std::string, std::string> d;
    for (std::string_view word : kPlainWords)
        d.emplace(caesar(word), std::string(word));
    return d;
}

}  // namespace decrypt
