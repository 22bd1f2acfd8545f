#include "tls.hpp"

#include "common/error.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

namespace http {

namespace {

std::string openssl_errors()
{
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty())
            out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown error" : out;
}

struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};

class TlsStream : public Stream {
public:
    TlsStream(netlab::Fd fd, std::unique_ptr<SSL_CTX, CtxFree> ctx, std::unique_ptr<SSL, SslFree> ssl)
        : fd_(std::move(fd)), ctx_(std::move(ctx)), ssl_(std::move(ssl))
    {
    }
    ~TlsStream() override
    {
        if (ssl_ && !broken_)
            SSL_shutdown(ssl_.get());  // close_notify, best effort (the socket is non-blocking)
    }

    // Runs an OpenSSL call until it is done, waiting in poll() for what it wants.
    template <class Call>
    int retry(const char* what, int timeout_ms, Call call)
    {
        for (;;) {
            ERR_clear_error();
            const int rc = call();
            if (rc > 0)
                return rc;
            const int err = SSL_get_error(ssl_.get(), rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                if (!netlab::wait_ready(fd_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeout_ms))
                    throw netlab::Timeout(what);
                continue;
            }
            if (err == SSL_ERROR_ZERO_RETURN)
                return 0;  // close_notify: a clean end of the stream
            broken_ = true;
            if (err == SSL_ERROR_SYSCALL) {
                if (errno != 0)
                    netlab::throw_sys(what);
                return 0;  // EOF without close_notify: treated as the end (as curl does for HTTP/1.0 bodies)
            }
            throw TlsError(std::string(what) + ": " + openssl_errors());
        }
    }

    std::size_t read(char* buf, std::size_t size, int timeout_ms) override
    {
        const int n = retry("SSL_read", timeout_ms, [&] { return SSL_read(ssl_.get(), buf, static_cast<int>(size)); });
        netlab::trace("SSL_read(" + std::to_string(fd_.get()) + ", " + std::to_string(size) + ") = " + std::to_string(n));
        return static_cast<std::size_t>(n);
    }

    void write_all(std::string_view data, int timeout_ms) override
    {
        while (!data.empty()) {
            const int n = retry("SSL_write", timeout_ms, [&] {
                return SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
            });
            if (n == 0)
                netlab::throw_sys("SSL_write", EPIPE);
            netlab::trace("SSL_write(" + std::to_string(fd_.get()) + ", " + std::to_string(data.size()) +
                          ") = " + std::to_string(n));
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    int fd() const override { return fd_.get(); }
    SSL* ssl() { return ssl_.get(); }

private:
    netlab::Fd fd_;
    std::unique_ptr<SSL_CTX, CtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
    bool broken_ = false;
};

bool is_ip_literal(const std::string& host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::unique_ptr<Stream> tls_connect(netlab::Fd fd, const std::string& host, const TlsOptions& options, int timeout_ms)
{
    std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx)
        throw TlsError("SSL_CTX_new: " + openssl_errors());
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    if (options.verify) {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
        const bool loaded = options.ca_file.empty()
                                ? SSL_CTX_set_default_verify_paths(ctx.get()) == 1
                                : SSL_CTX_load_verify_locations(ctx.get(), options.ca_file.c_str(), nullptr) == 1;
        if (!loaded)
            throw TlsError("loading CA certificates" + (options.ca_file.empty() ? "" : " from " + options.ca_file) + ": " +
                           openssl_errors());
    } else {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    }
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    if (!ssl)
        throw TlsError("SSL_new: " + openssl_errors());
    if (!is_ip_literal(host))
        SSL_set_tlsext_host_name(ssl.get(), host.c_str());  // SNI (not for IP addresses, RFC 6066)
    if (options.verify) {
        // The certificate must name this host (a DNS name, or an IP address in its SAN).
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        const int ok = is_ip_literal(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                           : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
        if (ok != 1)
            throw TlsError("setting the host name to verify: " + openssl_errors());
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
        netlab::throw_sys("fcntl(O_NONBLOCK)");
    if (SSL_set_fd(ssl.get(), fd.get()) != 1)
        throw TlsError("SSL_set_fd: " + openssl_errors());
    auto stream = std::make_unique<TlsStream>(std::move(fd), std::move(ctx), std::move(ssl));
    SSL* s = stream->ssl();
    try {
        stream->retry("SSL_connect", timeout_ms, [&] { return SSL_connect(s); });
    } catch (const TlsError& e) {
        const long result = SSL_get_verify_result(s);
        if (result != X509_V_OK)
            throw TlsError("TLS handshake with " + host +
                           ": certificate verify failed: " + X509_verify_cert_error_string(result));
        throw TlsError("TLS handshake with " + host + ": " + e.what());
    }
    netlab::trace(std::string("SSL_connect(") + std::to_string(stream->fd()) + ") = 1, " + SSL_get_version(s) + " " +
                  SSL_get_cipher_name(s));
    return stream;
}

}  // namespace http
