// thread_server — lecture 001's «ТСР сервер с многопоточной обработкой запросов»: a thread per
// client. 127.0.0.1:5555, SO_REUSEADDR, listen(5); uppercase echo until the client closes.
//
//   Server is up
//   Connection from address ('127.0.0.1', 53422)
//   Received Python client 42
//   Closed connection from ('127.0.0.1', 53422)
//   ^CServer is down
//
// Watch for:
//  - Each handler is plain blocking code (recv, send, recv...) — it may block, because it blocks
//    only its own thread. The main thread does nothing but accept() and start threads.
//  - The cost: a thread (a stack, a kernel task) per connection, created and destroyed each time.
//    The bench in README.md shows where that stops scaling.
//  - Stopping cleanly: Ctrl-C interrupts the main thread's accept() (the other threads keep the
//    signal blocked). It then shuts down every client socket, so each handler's recv() returns 0,
//    and joins every thread before saying "Server is down". Threads that finished earlier are
//    joined as new clients arrive, so finished threads never pile up.
//
// Run the pair:   ./thread_server              ./thread_client        (several times, or nc 127.0.0.1 5555)
#include "upper_service.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"
#include "common/text.hpp"

#include <condition_variable>
#include <iostream>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>

namespace {

constexpr const char* kProgram = "thread_server";

// One line at a time: a single write per line, so lines of different threads never mix.
void say(const std::string& line) { std::cout << line + "\n"; }

class ThreadServer {
public:
    explicit ThreadServer(upper::Limits limits) : limits_(limits) {}
    ~ThreadServer() { stop(); }

    void serve_forever(int listener)
    {
        for (;;) {
            netlab::Endpoint peer;
            netlab::Fd client;
            try {
                client = netlab::accept_from(listener, &peer);
            } catch (const netlab::SysError& e) {
                if (e.code() != EMFILE && e.code() != ENFILE)
                    throw;
                std::cerr << kProgram << ": " << e.what() << "\n";
                wait_for_a_free_slot();  // the backlog keeps the client waiting meanwhile
                continue;
            }
            join_finished();
            std::unique_lock lock(mutex_);
            if (live_ >= limits_.max_clients) {
                std::cerr << kProgram << ": client " << peer.python() << ": too many clients (--max-clients "
                          << limits_.max_clients << "), closed\n";
                continue;
            }
            Worker& worker = workers_.emplace_back();
            worker.fd = client.get();
            try {
                // The lock is held until worker.thread is set, so the thread can't finish "before it started".
                worker.thread = std::thread(&ThreadServer::client_handler, this, std::move(client), peer.python(), &worker);
                ++live_;
            } catch (const std::system_error& e) {  // EAGAIN: out of threads; the socket went with the arguments
                std::cerr << kProgram << ": client " << peer.python() << ": cannot start a thread: " << e.what() << "\n";
                workers_.pop_back();
            }
        }
    }

    // Ends every client's conversation and joins every thread. Safe to call twice.
    void stop()
    {
        {
            std::lock_guard lock(mutex_);
            for (Worker& w : workers_)
                if (!w.finished)
                    ::shutdown(w.fd, SHUT_RDWR);  // its recv() returns 0, its send() fails: the handler ends
        }
        for (Worker& w : workers_)
            if (w.thread.joinable())
                w.thread.join();
        workers_.clear();
    }

private:
    struct Worker {
        std::thread thread;
        int fd = -1;            // the client socket, for stop(); owned by the thread
        bool finished = false;  // the thread has closed its socket and is about to return
    };

    void client_handler(netlab::Fd client, std::string name, Worker* self)
    {
        if (!limits_.quiet)
            say("Connection from address " + name);
        netlab::serve_client(name, [&] {
            netlab::keep_alive(client.get());  // a client that vanished is noticed in seconds (socket.hpp)
            upper::Utf8Stream text;
            char buf[1024];
            while (const std::size_t n = netlab::recv_some(client.get(), buf, sizeof buf, limits_.idle_ms)) {
                const std::string complete = text.next(std::string_view(buf, n));
                if (!limits_.quiet && !complete.empty())
                    say("Received " + upper::strip(complete));
                netlab::send_all(client.get(), netlab::utf8_upper(complete), limits_.idle_ms);
            }
            netlab::send_all(client.get(), text.rest(), limits_.idle_ms);
        });
        {
            // Closed under the lock: stop() must never shut down a descriptor number that has
            // meanwhile been reused for another client.
            std::lock_guard lock(mutex_);
            client.reset();
            self->finished = true;
            --live_;
        }
        freed_.notify_one();
        if (!limits_.quiet)
            say("Closed connection from " + name);
    }

    void join_finished()
    {
        std::lock_guard lock(mutex_);
        for (auto it = workers_.begin(); it != workers_.end();) {
            if (it->finished) {
                it->thread.join();  // returns at once: the thread is past its last lock
                it = workers_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void wait_for_a_free_slot()
    {
        std::unique_lock lock(mutex_);
        const std::size_t now = live_;
        freed_.wait_for(lock, std::chrono::seconds(1), [&] { return live_ < now; });
    }

    upper::Limits limits_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::list<Worker> workers_;  // a list: a Worker never moves while its thread points at it
    std::size_t live_ = 0;
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli(kProgram, "Uppercase echo with a thread per client (lecture 001)", "127.0.0.1", 5555);
        upper::add_limit_options(cli, 4096, /*buffered=*/false);
        cli.add()("backlog", "listen() backlog (the lecture's 5 drops connections that arrive in a burst)",
                  cxxopts::value<std::string>()->default_value("5"));
        auto args = cli.parse(argc, argv);
        const int backlog = static_cast<int>(netlab::parse_number("backlog", args["backlog"].as<std::string>(), 1, 65535));
        netlab::install_stop_handlers();  // before any thread starts: they all inherit the blocked signals
        upper::raise_fd_limit();

        ThreadServer server(upper::read_limits(cli, args, false));
        const netlab::AddrInfo addr =
            netlab::resolve(cli.host(), std::to_string(cli.port()), SOCK_STREAM, /*passive=*/true).front();
        netlab::Fd listener = netlab::open_socket(addr.family, SOCK_STREAM);
        netlab::set_option(listener.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
        netlab::bind_to(listener.get(), addr.endpoint);
        netlab::listen_on(listener.get(), backlog);
        std::cout << "Server is up\n";
        try {
            server.serve_forever(listener.get());
        } catch (const netlab::Stopped&) {
        }
        server.stop();
        std::cout << "Server is down\n";
    });
}
