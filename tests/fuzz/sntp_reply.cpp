// Fuzz target: what sntp_client does with a datagram that arrives on its socket
// (lesson02_udp/ntp.hpp): decode the 48-byte header, then the RFC 4330 §5 checks.
#include "lesson02_udp/ntp.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view datagram(reinterpret_cast<const char*>(data), size);
    const auto reply = ntp::Packet::decode(datagram);
    (void)ntp::reply_problem(datagram, reply, 0x0123456789abcdefULL);
    if (reply) {
        // As if this were the answer to our request: the checks after the originate match run too.
        (void)ntp::reply_problem(datagram, reply, reply->originate);
        (void)ntp::to_unix_seconds(reply->transmit);
        (void)ntp::mode_name(reply->mode);
        (void)ntp::leap_name(reply->leap);
        (void)ntp::ascii_code(reply->reference_id);
        (void)reply->encode();
    }
    return 0;
}
