// link_checker — lecture 001, practice 3: collect every link of a page and check that each works.
//
//   $ link_checker http://127.0.0.1:8000/
//     200 http://127.0.0.1:8000/good.html
//     404 http://127.0.0.1:8000/missing.html
//     200 http://127.0.0.1:8000/old (→ http://127.0.0.1:8000/new/)
//     ERR http://127.0.0.1:9/ (connect(127.0.0.1:9): Connection refused (errno 111, ECONNREFUSED))
//   4 links checked (1 skipped): 2 ok, 2 broken
//
// The page is fetched with this lesson's HTTP client (http and https), its links collected with
// gumbo (links.hpp), resolved, deduplicated, and checked --concurrency at a time: HEAD, or GET when
// the server refuses HEAD (405, 501); redirects followed up to 10. --depth N also checks the links
// of pages on the same host and port, N levels down. --host/--port fetch the start page's origin
// from another address (as http_get's do). Exit status 1 if any link is broken.
//
// Watch for:
//  - Checks run on --concurrency threads, each with its own connections (an http::Client is not
//    shared): a slow server holds up one thread, not the run. The results are printed in page
//    order once a level is done, so the output does not depend on which answer came first.
//  - --timeout S bounds each connect and each wait for bytes: a server that never answers costs
//    S seconds of one thread, then shows as ERR.
//  - A body over 16 MiB (declared or sent) is refused at once: the link shows as ERR, a start
//    page that large is a runtime error.
//
// Run the pair:   python3 -m http.server 8000      ./link_checker http://127.0.0.1:8000/
#include "http_client.hpp"
#include "links.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"

#include <atomic>
#include <iostream>
#include <set>
#include <thread>

namespace {

struct Check {
    http::Url url;
    int status = 0;  // 0: a network error
    std::string error;
    std::string final_url;  // after redirects, if any
    std::string html;       // the body, when it was fetched for the crawl and is HTML
};

Check check_of(http::Url url)
{
    Check c;
    c.url = std::move(url);
    return c;
}

// A page is kept whole and parsed, so a server cannot make us hold more than this of one.
constexpr std::size_t kMaxPage = 16 * 1024 * 1024;

bool redirect(int s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

// One URL: HEAD (GET if `want_body`, or if HEAD is refused), following redirects.
void check(http::Client& client, Check& c, bool want_body)
{
    http::Url url = c.url;
    try {
        for (int hops = 0;; ++hops) {
            http::Request req;
            req.method = want_body ? "GET" : "HEAD";
            http::Response r = client.request(url, req);
            if (!want_body && (r.status == 405 || r.status == 501)) {
                req.method = "GET";
                r = client.request(url, req);
            }
            if (redirect(r.status) && r.headers.has("Location")) {
                if (hops >= 10)
                    throw http::ClientError("more than 10 redirects");
                url = http::resolve_url(url, *r.headers.get("Location"));
                c.final_url = url.str();
                continue;
            }
            c.status = r.status;
            const std::string* type = r.headers.get("Content-Type");
            if (want_body && type && type->find("text/html") != std::string::npos)
                c.html = std::move(r.body);
            return;
        }
    } catch (const http::ClientError& e) {
        c.error = e.what();
    } catch (const http::TlsError& e) {
        c.error = e.what();
    } catch (const http::UrlError& e) {
        c.error = std::string("bad redirect: ") + e.what();
    } catch (const netlab::SysError& e) {
        c.error = e.what();
    } catch (const netlab::ResolveError& e) {
        c.error = e.what();
    } catch (const netlab::Timeout& e) {
        c.error = e.what();
    }
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("link_checker", "Checks every link of a web page (lecture 001, practice 3)", "", 0);
        cli.add_timeout(10);
        cli.add()                                                                                        //
            ("url", "the page", cxxopts::value<std::string>())                                           //
            ("concurrency", "links checked at once", cxxopts::value<std::string>()->default_value("8"))  //
            ("depth", "also check the links of same-host pages this many levels down",
             cxxopts::value<std::string>()->default_value("0"));
        cli.positional({"url"}, "URL");
        auto args = cli.parse(argc, argv);
        if (!args.count("url"))
            throw netlab::UsageError("no URL given");
        const http::Url start = http::url_argument(args["url"].as<std::string>(), cli.host(), cli.port());
        const auto concurrency = static_cast<std::size_t>(
            netlab::parse_number("concurrency", args["concurrency"].as<std::string>(), 1, 64));
        const long depth = netlab::parse_number("depth", args["depth"].as<std::string>(), 0, 5);
        http::ClientOptions options;
        options.connect_timeout_ms = cli.timeout_ms();
        options.io_timeout_ms = cli.timeout_ms();
        options.max_body = kMaxPage;
        // --host/--port move the start page's origin only (a test site on another port, say):
        // links to other hosts are checked where they point.
        if (args.count("host"))
            options.connect_host = cli.host();
        options.connect_port = cli.port();
        options.connect_only_for = start.host + ":" + std::to_string(start.port);

        // The page itself must be there: otherwise this is a runtime error, not a broken link.
        Check first = check_of(start);
        {
            http::Client client(options);
            check(client, first, true);
        }
        if (first.status == 0)
            throw std::runtime_error("cannot fetch " + start.str() + ": " + first.error);
        if (first.status >= 400)
            throw std::runtime_error("cannot fetch " + start.str() + ": status " + std::to_string(first.status));

        std::vector<std::string> pages{first.html};
        std::vector<http::Url> page_urls{first.final_url.empty() ? start : http::parse_url(first.final_url)};
        std::set<std::string> seen{start.str()};
        std::size_t total = 0, ok = 0, broken = 0, skipped = 0;
        for (long level = 0; level <= depth && !pages.empty(); ++level) {
            std::vector<Check> checks;
            for (std::size_t p = 0; p < pages.size(); ++p) {
                links::Extracted x;
                try {
                    x = links::extract(pages[p], page_urls[p]);
                } catch (const links::Error& e) {
                    std::cerr << "link_checker: " << page_urls[p].str() << ": " << e.what() << std::endl;
                    continue;
                }
                skipped += x.skipped;
                for (auto& u : x.urls)
                    if (seen.insert(u.str()).second)
                        checks.push_back(check_of(std::move(u)));
            }
            const bool crawl = level < depth;
            std::atomic<std::size_t> next{0};
            {
                std::vector<std::jthread> workers;
                for (std::size_t w = 0; w < std::min(concurrency, checks.size()); ++w)
                    workers.emplace_back([&] {
                        http::Client client(options);
                        for (std::size_t i; (i = next++) < checks.size();) {
                            Check& c = checks[i];
                            const bool same_site = c.url.origin() == start.origin();
                            check(client, c, crawl && same_site);
                        }
                    });
            }
            pages.clear();
            page_urls.clear();
            for (auto& c : checks) {
                ++total;
                const bool good = c.status >= 200 && c.status < 400;
                (good ? ok : broken)++;
                if (c.status == 0)
                    std::cout << "  ERR " << c.url.str() << " (" << c.error << ")\n";
                else
                    std::cout << "  " << c.status << " " << c.url.str() << (c.final_url.empty() ? "" : " (→ " + c.final_url + ")")
                              << "\n";
                if (good && !c.html.empty()) {
                    pages.push_back(std::move(c.html));
                    page_urls.push_back(c.final_url.empty() ? c.url : http::parse_url(c.final_url));
                }
            }
        }
        std::cout << total << " links checked (" << skipped << " skipped): " << ok << " ok, " << broken << " broken\n";
        return broken > 0 ? 1 : 0;
    });
}
