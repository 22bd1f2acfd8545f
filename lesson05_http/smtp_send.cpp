// smtp_send — lecture 001's smtplib example (SMTP_SSL, login, sendmail of a MIMEText, quit),
// over a socket this program drives itself.
//
//   $ SMTP_PASSWORD=secret smtp_send --server smtp.example.org:465 --ssl --user me
//         --from me@example.org --to you@example.org --subject 'Simple subject' --body 'Hello!'
//   Message accepted for you@example.org: 250 OK
//
//   C: EHLO myhost                  S: 220 mail.example.org ESMTP       (--trace shows it so)
//   S: 250-mail.example.org         C: MAIL FROM:<me@example.org> BODY=8BITMIME
//   S: 250-8BITMIME                 S: 250 OK
//   S: 250 AUTH PLAIN LOGIN         C: RCPT TO:<you@example.org> ...  C: DATA ... C: QUIT
//
// Watch for:
//  - SMTP is a dialogue of lines: each command gets a reply whose first digit says what happened
//    (2 done, 3 go on, 4 try later, 5 refused). Replies may span lines ("250-...").
//  - STARTTLS turns the plain connection into TLS in the middle of the dialogue; afterwards the
//    client must forget what it learned (EHLO again: an attacker could have changed the list),
//    and a server that sent anything after its "220 Ready" is refused (the STARTTLS injection bug).
//    --ssl is TLS from the first byte instead, as SMTP_SSL on port 465.
//  - The password goes only over TLS, comes from an environment variable or a file (never the
//    command line, which `ps` shows to everyone), and --trace prints it masked.
//  - The message is built as MIMEText does: Subject RFC 2047-encoded when not ASCII, the body 7bit
//    when it is plain ASCII, 8bit when the server offers 8BITMIME, base64 otherwise.
//  - All or nothing: if any recipient is refused, nothing is sent (RSET) and the exit status is 1.
//
// Run the pair:   python3 -m aiosmtpd -n -l 127.0.0.1:8025
//                 smtp_send --server 127.0.0.1:8025 --from a@x --to b@y --subject Тема --body Привет
#include "smtp.hpp"
#include "read_file.hpp"
#include "stream.hpp"
#include "tls.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/socket.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <unistd.h>

namespace {

class Failure : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One SMTP connection: commands out, replies in, each traced as C: / S: lines.
class Session {
public:
    Session(std::unique_ptr<http::Stream> s, int timeout_ms) : s_(std::move(s)), timeout_ms_(timeout_ms) {}

    smtp::Reply read()
    {
        for (;;) {
            std::optional<smtp::Reply> r;
            try {
                r = parser_.next();
            } catch (const smtp::Error& e) {
                throw Failure(std::string("bad reply from the server: ") + e.what());
            }
            if (r) {
                for (std::size_t k = 0; k < r->lines.size(); ++k)
                    netlab::trace("S: " + std::to_string(r->code) + (k + 1 < r->lines.size() ? "-" : " ") + r->lines[k]);
                return *r;
            }
            char buf[4096];
            std::size_t n = 0;
            try {
                n = s_->read(buf, sizeof buf, timeout_ms_);
            } catch (const netlab::Timeout&) {
                throw Failure("no reply from the server within " + std::to_string(timeout_ms_) + " ms");
            }
            if (n == 0)
                throw Failure("the server closed the connection");
            parser_.feed(std::string_view(buf, n));
        }
    }
    void send(const std::string& line, const std::string& shown = "")
    {
        netlab::trace("C: " + (shown.empty() ? line : shown));
        s_->write_all(line + "\r\n", timeout_ms_);
    }
    smtp::Reply command(const std::string& line, const std::string& shown = "")
    {
        send(line, shown);
        return read();
    }
    void send_raw(std::string_view data) { s_->write_all(data, timeout_ms_); }

    // STARTTLS: the same TCP connection, now under TLS.
    void upgrade(const std::string& host, const http::TlsOptions& tls)
    {
        if (parser_.buffered() != 0)
            throw Failure("the server sent more after its reply to STARTTLS: refusing (STARTTLS injection)");
        netlab::Fd same(::dup(s_->fd()));
        if (!same)
            throw netlab::SysError("dup", errno);
        s_.reset();
        s_ = http::tls_connect(std::move(same), host, tls, timeout_ms_);
    }

private:
    std::unique_ptr<http::Stream> s_;
    smtp::ReplyParser parser_;
    int timeout_ms_;
};

std::string now_rfc5322()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string hostname()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0])
        return "localhost";
    return buf;
}

// email.utils.make_msgid(): <time.pid.random@host>
std::string make_msgid(const std::string& host)
{
    std::random_device rd;
    return "<" + std::to_string(std::time(nullptr)) + "." + std::to_string(::getpid()) + "." + std::to_string(rd()) + "@" + host +
           ">";
}

bool valid_address(const std::string& a)
{
    return !a.empty() && a.find_first_of("<>\r\n \t") == std::string::npos && a.find('@') != std::string::npos;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("smtp_send", "Sends a mail over SMTP as lecture 001's smtplib example does", "localhost", 25);
        cli.add_timeout(30);
        cli.add()                                                                                                         //
            ("server", "the SMTP server, HOST[:PORT] (default port 25, 465 with --ssl)", cxxopts::value<std::string>())   //
            ("from", "the sender's address", cxxopts::value<std::string>())                                               //
            ("to", "a recipient's address (repeat for more)", cxxopts::value<std::vector<std::string>>())                 //
            ("subject", "the subject (any UTF-8)", cxxopts::value<std::string>()->default_value(""))                      //
            ("body", "the text of the mail", cxxopts::value<std::string>())                                               //
            ("body-file", "the text of the mail from FILE", cxxopts::value<std::string>())                                //
            ("starttls", "auto (when offered), require, or never", cxxopts::value<std::string>()->default_value("auto"))  //
            ("ssl", "implicit TLS from the first byte (SMTP_SSL, port 465)")                                              //
            ("user", "log in (AUTH PLAIN or LOGIN) as USER", cxxopts::value<std::string>())                               //
            ("password-env", "the environment variable holding the password",
             cxxopts::value<std::string>()->default_value("SMTP_PASSWORD"))                                   //
            ("password-file", "read the password from FILE (its first line)", cxxopts::value<std::string>())  //
            ("cacert", "trust the CA certificate(s) in this PEM FILE", cxxopts::value<std::string>())         //
            ("k,insecure", "TLS: do not verify the certificate or the host name");
        auto args = cli.parse(argc, argv);

        const bool ssl = args.count("ssl") > 0;
        std::string host = cli.host();
        std::uint16_t port = args.count("port") ? cli.port() : (ssl ? 465 : 25);
        if (args.count("server")) {
            const std::string s = args["server"].as<std::string>();
            std::string port_text;
            if (s.starts_with("[")) {
                const auto close = s.find(']');
                if (close == std::string::npos)
                    throw netlab::UsageError("--server: no ']' after the IPv6 address in '" + s + "'");
                host = s.substr(1, close - 1);
                if (close + 1 < s.size()) {
                    if (s[close + 1] != ':')
                        throw netlab::UsageError("--server must be HOST[:PORT], not '" + s + "'");
                    port_text = s.substr(close + 2);
                }
            } else if (const auto colon = s.find(':');
                       colon != std::string::npos && s.find(':', colon + 1) == std::string::npos) {
                host = s.substr(0, colon);
                port_text = s.substr(colon + 1);
            } else {
                host = s;
            }
            if (!port_text.empty())
                port = static_cast<std::uint16_t>(netlab::parse_number("server's port", port_text, 1, 65535));
            if (host.empty())
                throw netlab::UsageError("--server needs a host");
        }
        const std::string mode = args["starttls"].as<std::string>();
        if (mode != "auto" && mode != "require" && mode != "never")
            throw netlab::UsageError("--starttls must be auto, require or never, not '" + mode + "'");
        if (!args.count("from") || !args.count("to"))
            throw netlab::UsageError("--from and at least one --to are needed");
        smtp::Message m;
        m.from = args["from"].as<std::string>();
        m.to = args["to"].as<std::vector<std::string>>();
        for (const auto& a : m.to)
            if (!valid_address(a))
                throw netlab::UsageError("--to needs an address like name@example.org, not '" + a + "'");
        if (!valid_address(m.from))
            throw netlab::UsageError("--from needs an address like name@example.org, not '" + m.from + "'");
        if (args.count("body") + args.count("body-file") != 1)
            throw netlab::UsageError("give the text with exactly one of --body and --body-file");
        m.body = args.count("body") ? args["body"].as<std::string>() : http::read_file(args["body-file"].as<std::string>());
        m.subject = args["subject"].as<std::string>();
        std::optional<std::string> password;
        if (args.count("user")) {
            if (args.count("password-file")) {
                std::string p = http::read_file(args["password-file"].as<std::string>());
                password = p.substr(0, p.find_first_of("\r\n"));
            } else if (const char* p = std::getenv(args["password-env"].as<std::string>().c_str())) {
                password = p;
            } else {
                throw netlab::UsageError("--user needs a password: set $" + args["password-env"].as<std::string>() +
                                         " or give --password-file");
            }
        }
        http::TlsOptions tls;
        if (args.count("cacert"))
            tls.ca_file = args["cacert"].as<std::string>();
        tls.verify = args.count("insecure") == 0;
        const std::string me = hostname();
        m.date = now_rfc5322();
        m.message_id = make_msgid(me);

        try {
            netlab::Fd fd = netlab::tcp_connect(host, port, cli.timeout_ms());
            std::unique_ptr<http::Stream> stream;
            if (ssl)
                stream = http::tls_connect(std::move(fd), host, tls, cli.timeout_ms());
            else
                stream = std::make_unique<http::PlainStream>(std::move(fd));
            Session s(std::move(stream), cli.timeout_ms());
            bool secure = ssl;

            const smtp::Reply greeting = s.read();
            if (greeting.code != 220)
                throw Failure("the server refused the session: " + std::to_string(greeting.code) + " " + greeting.text());
            auto hello = [&]() {
                smtp::Reply r = s.command("EHLO " + me);
                if (r.code / 100 == 5) {  // an old server: HELO, and no extensions
                    r = s.command("HELO " + me);
                    if (!r.positive())
                        throw Failure("HELO refused: " + std::to_string(r.code) + " " + r.text());
                    return smtp::Extensions{};
                }
                if (!r.positive())
                    throw Failure("EHLO refused: " + std::to_string(r.code) + " " + r.text());
                return smtp::parse_ehlo(r);
            };
            smtp::Extensions ext = hello();
            if (!secure && mode != "never") {
                if (ext.has("STARTTLS")) {
                    const smtp::Reply r = s.command("STARTTLS");
                    if (r.code != 220)
                        throw Failure("STARTTLS refused: " + std::to_string(r.code) + " " + r.text());
                    s.upgrade(host, tls);
                    secure = true;
                    ext = hello();  // forget what was said in the clear
                } else if (mode == "require") {
                    throw Failure("the server does not offer STARTTLS (--starttls require)");
                }
            }
            if (password) {
                if (!secure)
                    throw Failure("refusing to send the password without TLS (the server offered no STARTTLS)");
                const auto mechs = ext.params("AUTH");
                const std::string user = args["user"].as<std::string>();
                const bool plain = std::find(mechs.begin(), mechs.end(), "PLAIN") != mechs.end();
                const bool login = std::find(mechs.begin(), mechs.end(), "LOGIN") != mechs.end();
                smtp::Reply r;
                if (plain) {
                    r = s.command("AUTH PLAIN " + smtp::base64(std::string(1, '\0') + user + '\0' + *password),
                                  "AUTH PLAIN ****");
                } else if (login) {
                    r = s.command("AUTH LOGIN");
                    if (r.code == 334)
                        r = s.command(smtp::base64(user));
                    if (r.code == 334)
                        r = s.command(smtp::base64(*password), "****");
                } else {
                    throw Failure("the server offers no AUTH PLAIN or LOGIN");
                }
                if (r.code != 235)
                    throw Failure(std::string("AUTH ") + (plain ? "PLAIN" : "LOGIN") + " refused: " + std::to_string(r.code) +
                                  " " + r.text());
            }
            std::string encoding;
            const std::string message = smtp::build_message(m, ext.has("8BITMIME"), &encoding);
            const bool utf8_addresses = !smtp::is_ascii(m.from) ||
                                        std::any_of(m.to.begin(), m.to.end(), [](const auto& a) { return !smtp::is_ascii(a); });
            if (utf8_addresses && !ext.has("SMTPUTF8"))
                throw Failure("a non-ASCII address needs SMTPUTF8, which the server does not offer");
            std::string mail = "MAIL FROM:<" + m.from + ">";
            if (encoding == "8bit")
                mail += " BODY=8BITMIME";
            if (utf8_addresses)
                mail += " SMTPUTF8";
            smtp::Reply r = s.command(mail);
            if (!r.positive())
                throw Failure("MAIL FROM <" + m.from + "> refused: " + std::to_string(r.code) + " " + r.text());
            std::vector<std::string> refusals;
            for (const auto& to : m.to) {
                r = s.command("RCPT TO:<" + to + ">");
                if (r.code != 250 && r.code != 251)
                    refusals.push_back("RCPT TO <" + to + "> refused: " + std::to_string(r.code) + " " + r.text());
            }
            if (!refusals.empty()) {
                for (const auto& line : refusals)
                    std::cerr << "smtp_send: " << line << "\n";
                s.command("RSET");
                s.command("QUIT");
                std::cerr << "smtp_send: nothing was sent" << std::endl;
                return 1;
            }
            r = s.command("DATA");
            if (r.code != 354)
                throw Failure("DATA refused: " + std::to_string(r.code) + " " + r.text());
            netlab::trace("C: (the message: " + std::to_string(message.size()) + " bytes, " + encoding + ", dot-stuffed)");
            s.send_raw(smtp::dot_stuff(message));
            r = s.read();
            if (r.code != 250)
                throw Failure("the message was refused: " + std::to_string(r.code) + " " + r.text());
            std::string to;
            for (const auto& t : m.to)
                to += (to.empty() ? "" : ", ") + t;
            std::cout << "Message accepted for " << to << ": " << r.code << " " << r.text() << "\n";
            try {
                s.command("QUIT");
            } catch (const Failure&) {  // sent is sent: a server that drops us at QUIT changes nothing
            }
            return 0;
        } catch (const Failure& e) {
            std::cerr << "smtp_send: " << e.what() << std::endl;
            return 1;
        } catch (const http::TlsError& e) {
            std::cerr << "smtp_send: " << e.what() << std::endl;
            return 1;
        } catch (const netlab::Timeout& e) {
            std::cerr << "smtp_send: " << e.what() << std::endl;
            return 1;
        }
    });
}
