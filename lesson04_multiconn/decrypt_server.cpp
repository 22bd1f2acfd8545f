// decrypt_server — practice task 1 of lecture 001 («Практика»): a client sends a list of
// encrypted words, the server decrypts each by its dictionary and sends the list back.
//
//   $ ./decrypt_server                              (terminal 1)
//   Server is up
//   Connection from address ('127.0.0.1', 50702)
//   Received ['khoor', 'zruog'] from ('127.0.0.1', 50702)
//   Sending ['hello', 'world'] to ('127.0.0.1', 50702)
//   Closed connection from ('127.0.0.1', 50702)
//   ^CServer is down
//
// Model: a thread per client, the lecture 001 TcpServer/ClientThread pair — while one client
// thinks, the others are served. The wire format is one JSON list per line, each way:
//   → ["khoor", "zruog"]\n      ← ["hello", "world"]\n
// A client may send several lines on one connection; each gets its answer. A malformed line is
// answered with {"error": "..."} and that one connection is closed; the dictionary and the
// cipher are in decrypt_cipher.hpp.
//
// Watch for:
//  - Each thread owns its client; the only shared things are std::cout (a mutex keeps lines
//    whole) and the dictionary, which nobody writes after start-up, so it needs no lock.
//  - Ctrl-C: the main thread leaves accept(), shuts down every client socket so that each
//    thread's recv() returns, and joins them all before "Server is down". No thread outlives main.
//  - Input is bounded: a line of at most 64 KiB, at most 1000 words, --timeout of silence,
//    --max-clients threads.
//
// Run the pair:   ./decrypt_server      ./decrypt_client khoor zruog   (or --encrypt hello world)
#include "app_python.hpp"
#include "decrypt_cipher.hpp"
#include "decrypt_request.hpp"
#include "line_reader.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <atomic>
#include <iostream>
#include <list>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

namespace {

constexpr std::size_t kMaxLine = 64 * 1024;

std::mutex g_out;
void say(const std::string& line)
{
    std::lock_guard lock(g_out);
    std::cout << line << "\n";
}

const std::map<std::string, std::string> g_dictionary = decrypt::dictionary();

app::Json decrypt_words(const app::Json& words)
{
    app::Json plain = app::Json::array();
    for (const auto& word : words) {
        const auto hit = g_dictionary.find(word.get<std::string>());
        plain.push_back(hit != g_dictionary.end() ? hit->second : std::string(decrypt::kUnknown));
    }
    return plain;
}

// ClientThread.run(): answer each line until the client closes.
void serve(int sock, const std::string& addr, int timeout_ms)
{
    say("Connection from address " + addr);
    try {
        netlab::keep_alive(sock);  // a client that vanished is noticed in seconds (socket.hpp)
        lesson04::LineReader reader(sock, kMaxLine);
        while (auto line = reader.next(timeout_ms)) {
            app::Json request;
            try {
                request = decrypt::parse_request(*line);
            } catch (const decrypt::BadRequest& e) {
                say("Error from " + addr + ": " + e.what());
                netlab::send_all(sock, app::json_dumps({{"error", e.what()}}) + "\n", timeout_ms);
                break;
            }
            say("Received " + app::python_repr(request) + " from " + addr);
            const app::Json answer = decrypt_words(request);
            say("Sending " + app::python_repr(answer) + " to " + addr);
            netlab::send_all(sock, app::json_dumps(answer) + "\n", timeout_ms);
        }
    } catch (const std::exception& e) {  // reset, timeout, a line over the limit
        say("Error from " + addr + ": " + e.what());
    }
    // The descriptor itself is closed by the main thread after join(): closing it here could
    // let accept() reuse the number while the main thread still means to shut the old one down.
    ::shutdown(sock, SHUT_RDWR);
    say("Closed connection from " + addr);
}

struct Session {
    netlab::Fd sock;
    std::atomic<bool> done = false;
    std::thread thread;
};

// All client threads; the destructor ends and joins them, whatever way main leaves.
class Sessions {
public:
    ~Sessions()
    {
        for (auto& s : sessions_)
            ::shutdown(s.sock.get(), SHUT_RDWR);  // wakes the thread's recv() with EOF
        for (auto& s : sessions_)
            s.thread.join();
    }
    std::size_t size() const { return sessions_.size(); }

    // When no thread can be started (EAGAIN), the client is told nothing and closed: nothing is left behind.
    void start(netlab::Fd sock, std::string addr, int timeout_ms)
    {
        Session& s = sessions_.emplace_back();
        s.sock = std::move(sock);
        try {
            s.thread = std::thread([&s, addr, timeout_ms] {
                serve(s.sock.get(), addr, timeout_ms);
                s.done = true;
            });
        } catch (const std::system_error& e) {
            say("Error from " + addr + ": cannot start a thread: " + e.what());
            sessions_.pop_back();
        }
    }

    // Joins the threads that have finished and closes their sockets.
    void reap()
    {
        sessions_.remove_if([](Session& s) {
            if (!s.done)
                return false;
            s.thread.join();
            return true;
        });
    }

private:
    std::list<Session> sessions_;  // a list: a running thread holds a reference to its Session
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("decrypt_server",
                        "Decrypts lists of words by its dictionary, a thread per client (lecture 001, practice 1)", "127.0.0.1",
                        12345);
        cli.add_timeout(30);
        cli.add()("max-clients", "clients served at once (threads)", cxxopts::value<std::string>()->default_value("64"));
        auto args = cli.parse(argc, argv);
        const auto max_clients = static_cast<std::size_t>(
            netlab::parse_number("max-clients", args["max-clients"].as<std::string>(), 1, 1000));
        netlab::install_stop_handlers();  // before any thread starts: they inherit the blocked signals

        netlab::Fd listener = netlab::tcp_listen(cli.host(), cli.port(), 5);
        say("Server is up");
        {
            Sessions sessions;
            try {
                for (;;) {
                    sessions.reap();
                    netlab::Endpoint peer;
                    netlab::Fd sock;
                    try {
                        // Wake twice a second to join finished threads even when nobody connects.
                        sock = netlab::accept_from(listener.get(), &peer, 500);
                    } catch (const netlab::Timeout&) {
                        continue;
                    }
                    if (sessions.size() >= max_clients) {
                        say("Error from " + peer.python() + ": too many clients (--max-clients " + std::to_string(max_clients) +
                            "), closed");
                        continue;
                    }
                    sessions.start(std::move(sock), peer.python(), cli.timeout_ms());
                }
            } catch (const netlab::Stopped&) {
            }
        }  // ~Sessions: every thread joined
        say("Server is down");
    });
}
