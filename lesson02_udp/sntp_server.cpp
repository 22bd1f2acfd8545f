// sntp_server — a small SNTP server (RFC 4330) that answers from this machine's clock, so
// sntp_client (lecture 003, «UDP-клиент») works offline in class and in the tests.
//
// socket → bind(port 123) → for each request: recvfrom, note the time (T2), build the reply,
// note the time again (T3), sendto. The reply echoes the request's transmit timestamp in its
// originate field: that is how a client knows the answer belongs to its own question.
// Watch for: one socket answers every client; nothing is kept between requests.
// Port 123 needs root (ports below 1024 are privileged); use --port 12300 otherwise.
//
// Run the pair:   sudo ./sntp_server                         # or: ./sntp_server --port 12300
//                 ./sntp_client --host 127.0.0.1             # or: ./sntp_client --host 127.0.0.1 --port 12300
// Real clients work too:  chronyd -Q -f /dev/null 'server 127.0.0.1 port 12300 iburst'
#include "ntp.hpp"
#include "udp.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <iostream>

namespace {

ntp::Packet answer(const ntp::Packet& request, ntp::Timestamp received, int stratum)
{
    ntp::Packet reply;
    reply.leap = 0;
    reply.version = request.version;  // RFC 4330 §5: copy the client's version
    reply.mode = ntp::kServer;
    reply.stratum = static_cast<std::uint8_t>(stratum);
    reply.poll = request.poll;
    reply.precision = -20;  // the system clock reads in nanoseconds; ~1 µs is honest
    // Stratum 1 names its reference clock in ASCII; higher strata give their source's address.
    // We have no source but our own clock: "LOCL", or 127.127.1.1 as chrony's local clock says.
    reply.reference_id = stratum == 1 ? 0x4c4f434cu : 0x7f7f0101u;
    reply.reference = received;  // "the clock was last set": it is the system clock, always current
    reply.originate = request.transmit;
    reply.receive = received;
    return reply;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("sntp_server", "Answers SNTP requests from the system clock (RFC 4330)", "127.0.0.1", 123);
        cli.add()("stratum", "stratum to announce, 1 (primary reference) to 15",
                  cxxopts::value<std::string>()->default_value("10"));
        auto args = cli.parse(argc, argv);
        const int stratum = static_cast<int>(netlab::parse_number("stratum", args["stratum"].as<std::string>(), 1, 15));
        netlab::install_stop_handlers();

        // udp_bind: socket + bind, as udp_thanks_server spells them out
        netlab::Fd sock = lesson02::udp_bind(cli.host(), cli.port());
        std::cout << "SNTP server on " << netlab::local_endpoint(sock.get()).python() << ", stratum " << stratum << "\n";
        for (;;) {
            char data[1024];
            netlab::Endpoint client;
            const std::size_t n = lesson02::recv_from(sock.get(), data, sizeof data, &client);
            const ntp::Timestamp received = ntp::now();
            const auto request = ntp::Packet::decode(std::string_view(data, n));
            if (!request) {
                std::cout << "Ignored " << n << " bytes from " << client.python() << ": not an NTP packet\n";
                continue;
            }
            if (request->mode != ntp::kClient) {
                std::cout << "Ignored a mode " << int{request->mode} << " (" << ntp::mode_name(request->mode) << ") packet from "
                          << client.python() << "\n";
                continue;
            }
            ntp::Packet reply = answer(*request, received, stratum);
            reply.transmit = ntp::now();  // as late as possible: the client measures the delay from it
            const auto bytes = reply.encode();
            netlab::serve_client(client.python(), [&] {
                netlab::send_to(sock.get(), std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), client);
                std::cout << "Answered " << client.python() << " (version " << int{request->version} << ")\n";
            });
        }
    });
}
