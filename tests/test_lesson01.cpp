// Integration tests for lesson01_tcp: real server and client processes on loopback, plus real
// peers (python3's socket module, nc). Every test picks its own free port, so ctest -j is safe.
#include "support/catch.hpp"
#include "support/harness.hpp"

#include <csignal>

using namespace netlab::test;

namespace {
std::string P(std::uint16_t port) { return std::to_string(port); }
}  // namespace

TEST_CASE("greeting: server logs the client, client prints the greeting", "[greeting]")
{
    const auto port = free_port();
    Process server({bin("greeting_server"), "--port", P(port)});
    wait_listening(port);

    for (int i = 0; i < 2; ++i) {  // the server keeps accepting after each client
        auto client = run({bin("greeting_client"), "--port", P(port)});
        CHECK(client.code == 0);
        CHECK(client.out == "Thank you for the connection\n");
        CHECK(server.expect_line("Server got connection from ('127.0.0.1', ").size() > 0);
    }
    server.signal(SIGTERM);
    CHECK(server.wait() == 0);
}
