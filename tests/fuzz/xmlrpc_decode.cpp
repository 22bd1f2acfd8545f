// Fuzz target: XML-RPC messages (lesson05_http/xmlrpc.hpp) — a call as xmlrpc_server reads it, a
// response as xmlrpc_client reads it. Whatever decodes must encode again and decode to the same
// printed value (the round trip every interop test relies on).
#include "lesson05_http/xmlrpc.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const xmlrpc::Call c = xmlrpc::parse_call(text);
        const xmlrpc::Call again = xmlrpc::parse_call(xmlrpc::encode_call(c));
        if (again.method != c.method || again.params.size() != c.params.size())
            std::abort();
        for (std::size_t k = 0; k < c.params.size(); ++k)
            if (xmlrpc::python_repr(again.params[k]) != xmlrpc::python_repr(c.params[k]))
                std::abort();
    } catch (const xmlrpc::Error&) {
    }
    try {
        const xmlrpc::Response r = xmlrpc::parse_response(text);
        if (!r.is_fault &&
            xmlrpc::python_repr(xmlrpc::parse_response(xmlrpc::encode_response(r.value)).value) != xmlrpc::python_repr(r.value))
            std::abort();
    } catch (const xmlrpc::Error&) {
    }
    return 0;
}
