// ntp.hpp — the SNTP packet (RFC 4330) and NTP time, shared by sntp_client and sntp_server.
//
// An NTP packet is 48 bytes of big-endian fields (the lecture unpacks it as twelve 32-bit
// words, struct.unpack('!12I', data)):
//
//   word 0    LI (2 bits) | VN (3) | Mode (3) | Stratum (8) | Poll (8) | Precision (8)
//   word 1    root delay          word 2  root dispersion      word 3  reference ID
//   words 4-5 reference timestamp        words 6-7  originate timestamp  (T1, echoed by the server)
//   words 8-9 receive timestamp   (T2)   words 10-11 transmit timestamp  (T3)
//
// The lecture's request '\x1b' + 47 * '\0' is LI 0, VN 3, Mode 3 (client). Word 10 is the
// seconds of the transmit timestamp; note the lecture's index [8] is actually the receive
// timestamp's seconds, which a server sets a moment earlier — the same second, nearly always.
//
// A timestamp is 32 bits of seconds since 1 January 1900 and 32 bits of binary fraction.
// 1900 → 1970 is 70 years with 17 leap days: (70 * 365 + 17) * 86400 = 2208988800 s.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace ntp {

inline constexpr std::size_t kPacketSize = 48;
inline constexpr std::uint32_t kUnixEpoch = 2208988800u;  // 1970-01-01 in NTP seconds (the lecture's TIME1970)

enum Mode : std::uint8_t { kClient = 3, kServer = 4 };

// 64-bit NTP timestamp: seconds since 1900 in the high half, fraction of a second in the low half.
using Timestamp = std::uint64_t;

// Seconds since 1900 only fit 32 bits until 2036 (era 0). RFC 4330 §3: a timestamp with the top
// bit clear is read as era 1 (2036–2104), so this keeps working after the wrap.
inline double to_unix_seconds(Timestamp t)
{
    const std::uint32_t seconds = static_cast<std::uint32_t>(t >> 32);
    const double fraction = static_cast<double>(t & 0xffffffffu) / 4294967296.0;
    const std::int64_t era_seconds = (seconds & 0x80000000u) ? std::int64_t{seconds} : std::int64_t{seconds} + 4294967296LL;
    return static_cast<double>(era_seconds - kUnixEpoch) + fraction;
}

inline Timestamp from_unix(std::chrono::system_clock::time_point when)
{
    using namespace std::chrono;
    const auto since_1970 = duration_cast<nanoseconds>(when.time_since_epoch()).count();
    const std::int64_t seconds = since_1970 / 1'000'000'000 + kUnixEpoch;
    const std::int64_t nanos = since_1970 % 1'000'000'000;
    // Truncating to 32 bits is the era wrap of 2036: exactly what the wire format carries.
    // nanos < 2^30, so nanos * 2^32 still fits 64 bits.
    const auto fraction = (static_cast<std::uint64_t>(nanos) << 32) / 1'000'000'000u;
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(seconds)) << 32) | fraction;
}

inline Timestamp now() { return from_unix(std::chrono::system_clock::now()); }

struct Packet {
    std::uint8_t leap = 0;     // 0 no warning, 1/2 leap second today, 3 clock not synchronized
    std::uint8_t version = 3;  // the lecture's 0x1b says 3; RFC 4330 clients may say 4
    std::uint8_t mode = kClient;
    std::uint8_t stratum = 0;  // 0 in a reply is a kiss-o'-death; 1 primary reference; 2-15 secondary
    std::int8_t poll = 0;
    std::int8_t precision = 0;  // log2 seconds: -20 is about a microsecond
    std::uint32_t root_delay = 0, root_dispersion = 0;
    std::uint32_t reference_id = 0;
    Timestamp reference = 0, originate = 0, receive = 0, transmit = 0;

    std::array<std::uint8_t, kPacketSize> encode() const
    {
        std::array<std::uint8_t, kPacketSize> b{};
        b[0] = static_cast<std::uint8_t>((leap & 3) << 6 | (version & 7) << 3 | (mode & 7));
        b[1] = stratum;
        b[2] = static_cast<std::uint8_t>(poll);
        b[3] = static_cast<std::uint8_t>(precision);
        put32(b, 4, root_delay);
        put32(b, 8, root_dispersion);
        put32(b, 12, reference_id);
        put64(b, 16, reference);
        put64(b, 24, originate);
        put64(b, 32, receive);
        put64(b, 40, transmit);
        return b;
    }

    // Anything shorter than the 48-byte header is not an NTP packet. Longer ones may carry
    // extension fields or a MAC after the header; SNTP ignores them.
    static std::optional<Packet> decode(std::string_view d)
    {
        if (d.size() < kPacketSize)
            return std::nullopt;
        Packet p;
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(d[i]); };
        p.leap = byte(0) >> 6;
        p.version = (byte(0) >> 3) & 7;
        p.mode = byte(0) & 7;
        p.stratum = byte(1);
        p.poll = static_cast<std::int8_t>(byte(2));
        p.precision = static_cast<std::int8_t>(byte(3));
        const auto get32 = [&](std::size_t i) {
            return std::uint32_t{byte(i)} << 24 | std::uint32_t{byte(i + 1)} << 16 | std::uint32_t{byte(i + 2)} << 8 |
                   byte(i + 3);
        };
        const auto get64 = [&](std::size_t i) { return std::uint64_t{get32(i)} << 32 | get32(i + 4); };
        p.root_delay = get32(4);
        p.root_dispersion = get32(8);
        p.reference_id = get32(12);
        p.reference = get64(16);
        p.originate = get64(24);
        p.receive = get64(32);
        p.transmit = get64(40);
        return p;
    }

private:
    static void put32(std::array<std::uint8_t, kPacketSize>& b, std::size_t i, std::uint32_t v)
    {
        for (int k = 3; k >= 0; --k, v >>= 8)
            b[i + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v);
    }
    static void put64(std::array<std::uint8_t, kPacketSize>& b, std::size_t i, std::uint64_t v)
    {
        put32(b, i, static_cast<std::uint32_t>(v >> 32));
        put32(b, i + 4, static_cast<std::uint32_t>(v));
    }
};

inline std::string mode_name(int mode)
{
    static constexpr const char* names[] = {"reserved", "symmetric active", "symmetric passive", "client",
                                            "server",   "broadcast",        "control message",   "private"};
    return names[mode & 7];
}

inline std::string leap_name(int leap)
{
    static constexpr const char* names[] = {"no warning", "last minute has 61 seconds", "last minute has 59 seconds",
                                            "clock not synchronized"};
    return names[leap & 3];
}

// Python's time.ctime(): "Wed Oct 16 17:50:43 2024" in local time (TZ decides which).
inline std::string ctime(double unix_seconds)
{
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm local{};
    localtime_r(&t, &local);
    char text[64];
    std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &local);
    return text;
}

// A kiss-o'-death carries a four-letter ASCII code in the reference ID ("RATE", "DENY"...).
inline std::string ascii_code(std::uint32_t id)
{
    std::string code;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const char c = static_cast<char>((id >> shift) & 0xff);
        code += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return code;
}

// 8 hex digits of seconds, 8 of fraction: how ntpq and tcpdump show a timestamp.
inline std::string hex(Timestamp t)
{
    char text[24];
    std::snprintf(text, sizeof text, "%08x.%08x", static_cast<unsigned>(t >> 32), static_cast<unsigned>(t));
    return text;
}

// Why a datagram that came back to a client cannot be trusted as the answer to the request it
// sent at `sent`, or "" if it can: the client's checks of RFC 4330 §5, in the order they fail.
// `packet` is decode(data). This is all the parsing a reply gets, so it is what the fuzzer runs.
inline std::string reply_problem(std::string_view data, const std::optional<Packet>& p, Timestamp sent)
{
    if (!p)
        return std::to_string(data.size()) + " bytes, shorter than the " + std::to_string(kPacketSize) + "-byte SNTP header";
    if (p->mode != kServer)
        return "mode " + std::to_string(p->mode) + " (" + mode_name(p->mode) + "), expected 4 (server)";
    if (p->version == 0)  // RFC 4330 §5: "discard the server message if ... the VN field is zero"
        return "version number 0";
    if (p->originate != sent)
        return "originate timestamp " + hex(p->originate) + " does not echo our transmit timestamp " + hex(sent);
    if (p->stratum == 0)
        return "kiss-o'-death (stratum 0, code " + ascii_code(p->reference_id) + ")";
    if (p->leap == 3)
        return "leap indicator 3: the server's clock is not synchronized";
    if (p->stratum > 15)  // 16 means "unsynchronized" (RFC 5905); 17-255 are reserved
        return "stratum " + std::to_string(p->stratum) + ": the server's clock is not synchronized";
    if (p->transmit == 0)
        return "transmit timestamp is zero";
    return "";
}

}  // namespace ntp
