// tls.hpp — TLS client connections through OpenSSL, for https:// URLs.
//
// Watch for:
//  - Encryption alone is not enough: the client must also check that the certificate was issued
//    by an authority it trusts (the system's store in /etc/ssl/certs, or --cacert FILE) AND that
//    it names the host in the URL. Without the second check anyone with any valid certificate
//    could pose as any site. -k (insecure) turns both checks off, and says so.
//  - The host name goes into the ClientHello too (SNI): one address can serve many sites.
#pragma once

#include "stream.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace http {

struct TlsOptions {
    bool verify = true;   // certificate chain and host name
    std::string ca_file;  // trust only this PEM file instead of the system store
};

// A TLS failure: handshake, verification ("certificate verify failed: ..."), or I/O.
class TlsError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs the TLS handshake over the connected socket `fd` for `host` (a name or an IP address).
std::unique_ptr<Stream> tls_connect(netlab::Fd fd, const std::string& host, const TlsOptions& options, int timeout_ms);

}  // namespace http
