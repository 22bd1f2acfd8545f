// file_server — `python3 -m http.server` (lecture 001) in one thread, as fast as nginx.
//
//   file_server [port] [--bind ADDR] [--directory DIR]      (default: port 8888, the current directory)
//
// Serves DIR: a file with its MIME type (from /etc/mime.types), a directory's index.html, or an
// HTML listing like http.server's; HEAD; Last-Modified and If-Modified-Since (304); Range
// (206, 416); a directory asked for without its trailing slash is redirected (301) to it.
//
// Watch for:
//  - It never serves anything outside DIR. The request's path is decoded once, and refused (400)
//    if it has a "." or ".." segment (also written %2e%2e), an encoded "/" (%2f), a NUL byte, a
//    backslash or an empty segment ("//etc/passwd"); it is then opened with openat2() and
//    RESOLVE_BENEATH relative to DIR, so the kernel itself refuses a symlink that leads out (403).
//  - File bodies are not copied through the program: sendfile() moves them from the page cache
//    to the socket inside the kernel. With keep-alive and one epoll loop that is what lets one
//    thread keep up with nginx (README.md has the benchmark).
//
// Run the pair:   ./file_server 8888 --directory /usr/share/doc      curl -i http://127.0.0.1:8888/
#include "http_server.hpp"
#include "url.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <linux/openat2.h>
#include <map>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

// ---- MIME types --------------------------------------------------------------------------------
std::map<std::string, std::string> load_mime_types(const std::string& path)
{
    std::map<std::string, std::string> types;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream words(line);
        std::string type, ext;
        words >> type;
        while (words >> ext)
            types.emplace(ext, type);
    }
    if (types.empty())  // no /etc/mime.types (package media-types): the few every site needs
        types = {{"html", "text/html"},     {"htm", "text/html"},         {"txt", "text/plain"},     {"css", "text/css"},
                 {"js", "text/javascript"}, {"json", "application/json"}, {"png", "image/png"},      {"jpg", "image/jpeg"},
                 {"gif", "image/gif"},      {"svg", "image/svg+xml"},     {"pdf", "application/pdf"}};
    return types;
}

std::string mime_type(const std::map<std::string, std::string>& types, const std::string& name)
{
    const auto dot = name.rfind('.');
    if (dot == std::string::npos)
        return "application/octet-stream";
    std::string ext = name.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto it = types.find(ext);
    return it == types.end() ? "application/octet-stream" : it->second;
}

// ---- the path rules ----------------------------------------------------------------------------
struct Path {
    std::string url_path;  // decoded, starts with '/'
    std::string relative;  // for openat2 below the root: "" is the root itself
    std::string refused;   // why it is refused (400), if it is
};

Path translate(const std::string& target)
{
    Path p;
    std::string_view t = target;
    if (t.starts_with("http://") || t.starts_with("https://")) {  // absolute-form: keep the path only
        const auto start = t.find('/', t.find("//") + 2);
        t = start == std::string_view::npos ? std::string_view("/") : t.substr(start);
    }
    t = t.substr(0, t.find_first_of("?#"));
    if (t.empty() || t.front() != '/') {
        p.refused = "the path must start with '/'";
        return p;
    }
    if (t.find('\\') != std::string_view::npos) {
        p.refused = "backslashes are not allowed in paths";
        return p;
    }
    std::string relative;
    std::string_view rest = t.substr(1);
    while (true) {
        const auto slash = rest.find('/');
        const auto raw = rest.substr(0, slash);
        const bool last = slash == std::string_view::npos;
        const auto seg = http::percent_decode(raw);
        if (!seg) {
            p.refused = "malformed percent-escape in the path";
            return p;
        }
        if (seg->find('\0') != std::string::npos || seg->find('/') != std::string::npos || seg->find('\\') != std::string::npos) {
            p.refused = "NUL, '/' or '\\' encoded in a path segment";
            return p;
        }
        if (*seg == "." || *seg == "..") {
            p.refused = "'.' and '..' segments are not allowed";
            return p;
        }
        if (seg->empty() && !last) {
            p.refused = "empty path segment (an absolute path?)";
            return p;
        }
        if (!seg->empty()) {
            if (!relative.empty())
                relative += '/';
            relative += *seg;
        }
        if (last)
            break;
        rest.remove_prefix(slash + 1);
    }
    p.relative = relative;
    p.url_path = *http::percent_decode(t);
    return p;
}

// openat2(root, path, RESOLVE_BENEATH): the kernel refuses ".." and symlinks that leave the root.
int open_beneath(int root, const std::string& relative, int flags)
{
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC | O_NOCTTY);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const char* path = relative.empty() ? "." : relative.c_str();
    return static_cast<int>(::syscall(SYS_openat2, root, path, &how, sizeof how));
}

// ---- Range (RFC 9110 §14) ----------------------------------------------------------------------
struct Range {
    enum { none, ok, unsatisfiable } kind = none;
    std::uint64_t first = 0, last = 0;
};

// One range of bytes=a-b, a- or -n; several ranges, or anything malformed, are ignored (the whole
// file is sent, as RFC 9110 allows).
Range parse_range(const std::string& value, std::uint64_t size)
{
    Range r;
    if (!value.starts_with("bytes=") || value.find(',') != std::string::npos)
        return r;
    const std::string spec = value.substr(6);
    const auto dash = spec.find('-');
    if (dash == std::string::npos)
        return r;
    auto number = [](const std::string& s, std::uint64_t& out) {
        if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        out = std::stoull(s);
        return true;
    };
    const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    std::uint64_t first = 0, last = 0;
    if (a.empty()) {  // suffix: the last n bytes
        if (!number(b, last))
            return r;
        if (last == 0 || size == 0) {
            r.kind = Range::unsatisfiable;
            return r;
        }
        r.kind = Range::ok;
        r.first = last >= size ? 0 : size - last;
        r.last = size - 1;
        return r;
    }
    if (!number(a, first) || (!b.empty() && !number(b, last)) || (!b.empty() && last < first))
        return r;
    if (first >= size) {
        r.kind = Range::unsatisfiable;
        return r;
    }
    r.kind = Range::ok;
    r.first = first;
    r.last = b.empty() || last >= size ? size - 1 : last;
    return r;
}

// ---- the handler -------------------------------------------------------------------------------
class FileServer {
public:
    FileServer(netlab::Fd root, std::map<std::string, std::string> types) : root_(std::move(root)), types_(std::move(types)) {}

    http::Reply operator()(const http::Request& req, const netlab::Endpoint&) const
    {
        if (req.method != "GET" && req.method != "HEAD")
            return http::error_reply(501, "Unsupported method ('" + req.method + "')");
        const Path path = translate(req.target);
        if (!path.refused.empty())
            return http::error_reply(400, path.refused);
        netlab::Fd fd(open_beneath(root_.get(), path.relative, O_RDONLY));
        if (!fd)
            return open_error(errno);
        struct stat st {};
        if (::fstat(fd.get(), &st) < 0)
            return open_error(errno);
        if (S_ISDIR(st.st_mode)) {
            const std::string raw_path = req.target.substr(0, req.target.find_first_of("?#"));
            if (!raw_path.ends_with("/")) {
                http::Reply r;
                r.status = 301;
                const auto q = req.target.find('?');
                r.headers.add("Location", raw_path + "/" + (q == std::string::npos ? "" : req.target.substr(q)));
                return r;
            }
            for (const char* index : {"index.html", "index.htm"}) {
                const std::string rel = path.relative.empty() ? index : path.relative + "/" + index;
                netlab::Fd ifd(open_beneath(root_.get(), rel, O_RDONLY));
                struct stat ist {};
                if (ifd && ::fstat(ifd.get(), &ist) == 0 && S_ISREG(ist.st_mode))
                    return file_reply(req, std::move(ifd), ist, index);
            }
            return listing(fd.get(), path.url_path);
        }
        if (!S_ISREG(st.st_mode))
            return http::error_reply(403, "not a regular file");
        if (path.url_path.ends_with("/"))  // python: a file asked for as a directory is not found
            return http::error_reply(404, "Nothing matches the given URI");
        return file_reply(req, std::move(fd), st, path.relative);
    }

private:
    static http::Reply open_error(int err)
    {
        switch (err) {
        case ENOENT:
        case ENOTDIR: return http::error_reply(404, "Nothing matches the given URI");
        case EXDEV: return http::error_reply(403, "the path leads outside the served directory");
        case EACCES:
        case EPERM:
        case ELOOP: return http::error_reply(403, "access denied");
        case ENAMETOOLONG: return http::error_reply(414, "the path is too long");
        default: return http::error_reply(500, "open: " + netlab::describe_errno(err));
        }
    }

    http::Reply file_reply(const http::Request& req, netlab::Fd fd, const struct stat& st, const std::string& name) const
    {
        const std::string modified = http::format_http_date(st.st_mtime);
        if (const std::string* ims = req.headers.get("If-Modified-Since"); ims && !req.headers.has("If-None-Match")) {
            if (auto since = http::parse_http_date(*ims); since && st.st_mtime <= *since) {
                http::Reply r;
                r.status = 304;
                r.headers.add("Last-Modified", modified);
                return r;
            }
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        http::Reply r;
        r.headers.add("Content-Type", mime_type(types_, name));
        r.headers.add("Last-Modified", modified);
        r.headers.add("Accept-Ranges", "bytes");
        r.file_length = size;
        const std::string* range = req.headers.get("Range");
        const std::string* if_range = req.headers.get("If-Range");
        if (range && (!if_range || *if_range == modified)) {
            const Range rg = parse_range(*range, size);
            if (rg.kind == Range::unsatisfiable) {
                http::Reply bad = http::error_reply(416, "the range starts past the end of the file");
                bad.headers.add("Content-Range", "bytes */" + std::to_string(size));
                return bad;
            }
            if (rg.kind == Range::ok) {
                r.status = 206;
                r.headers.add("Content-Range",
                              "bytes " + std::to_string(rg.first) + "-" + std::to_string(rg.last) + "/" + std::to_string(size));
                r.file_offset = rg.first;
                r.file_length = rg.last - rg.first + 1;
            }
        }
        r.file = std::move(fd);
        return r;
    }

    // http.server's list_directory(): names sorted case-insensitively, "/" after directories and
    // "@" after symlinks, each href percent-encoded and each text HTML-escaped.
    static http::Reply listing(int dirfd, const std::string& url_path)
    {
        const int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
        DIR* dir = dup < 0 ? nullptr : ::fdopendir(dup);
        if (!dir) {
            if (dup >= 0)
                ::close(dup);
            return http::error_reply(403, "No permission to list directory");
        }
        std::vector<std::pair<std::string, std::string>> entries;  // (display, link)
        while (dirent* e = ::readdir(dir)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            struct stat st {};
            std::string display = name, link = name;
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(st.st_mode)) {
                    display += "/";
                    link += "/";
                } else if (S_ISLNK(st.st_mode)) {
                    display += "@";
                }
            }
            entries.emplace_back(display, link);
        }
        ::closedir(dir);
        std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            std::string x = a.first, y = b.first;
            for (auto* s : {&x, &y})
                std::transform(s->begin(), s->end(), s->begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return x < y;
        });
        const std::string title = "Directory listing for " + http::html_escape(url_path);
        std::string page = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
                           "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<ul>\n";
        for (const auto& [display, link] : entries)
            page += "<li><a href=\"" + http::percent_encode(link, "/") + "\">" + http::html_escape(display) + "</a></li>\n";
        page += "</ul>\n<hr>\n</body>\n</html>\n";
        return http::text_reply(200, "text/html; charset=utf-8", std::move(page));
    }

    netlab::Fd root_;
    std::map<std::string, std::string> types_;
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("file_server", "Serve a directory over HTTP, as python3 -m http.server does (lecture 001)", "0.0.0.0",
                        8888);
        cli.add()                                                                                        //
            ("b,bind", "address to listen on (as http.server's --bind)", cxxopts::value<std::string>())  //
            ("d,directory", "directory to serve (default: the current one)",
             cxxopts::value<std::string>()->default_value("."))  //
            ("mime-types", "the MIME types file", cxxopts::value<std::string>()->default_value("/etc/mime.types"));
        http::add_server_options(cli);
        cli.positional({"port"}, "[port]  (default 8888, as --port)");
        auto args = cli.parse(argc, argv);
        if (!args.unmatched().empty())
            throw netlab::UsageError("unexpected argument '" + args.unmatched().front() + "'");
        const std::string host = args.count("bind") ? args["bind"].as<std::string>() : cli.host();
        const std::string directory = args["directory"].as<std::string>();
        netlab::install_stop_handlers();

        const int root = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
            throw netlab::SysError("open(" + directory + ")", errno);
        // openat2 is Linux 5.6+; say so plainly rather than serve without the kernel's check.
        {
            netlab::Fd probe(open_beneath(root, "", O_RDONLY));
            if (!probe && errno == ENOSYS)
                throw netlab::SysError("openat2 (Linux 5.6 or later is needed)", ENOSYS);
        }
        http::ServerConfig config;
        config.program = "file_server";
        config.server = "netlab-file_server";
        http::read_server_options(args, config);
        // Handler is a std::function, which copies: the root's descriptor is shared, not copied.
        auto files = std::make_shared<FileServer>(netlab::Fd(root), load_mime_types(args["mime-types"].as<std::string>()));
        http::Server server(config,
                            [files](const http::Request& req, const netlab::Endpoint& peer) { return (*files)(req, peer); });
        server.listen(host, cli.port());
        const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
        std::cout << "Serving HTTP on " << host << " port " << cli.port() << " (http://" << shown << ":" << cli.port() << "/) ..."
                  << std::endl;
        server.run();
        std::cout << "\nKeyboard interrupt received, exiting." << std::endl;
    });
}
