// xmlrpc_client — lecture 001's xmlrpc.client.ServerProxy: calls is_even on an XML-RPC server,
// or any method with any arguments.
//
//   $ xmlrpc_client                                     3 is even: False
//                                                       100 is even: True
//   $ xmlrpc_client http://localhost:8000/ add 2 3.5    5.5
//   $ xmlrpc_client URL echo '[1, "two", {"x": true}]'  [1, 'two', {'x': True}]
//   $ xmlrpc_client URL echo dateTime:20261201T10:00:00
//   $ xmlrpc_client URL add -- -5 2                     -3   ("--" before an argument starting with '-')
//
// An argument is read as JSON when it is JSON (42 → int, 1.5 → double, true → boolean,
// "42" → string, [..] → array, {..} → struct, null → nil); dateTime:TEXT and base64:TEXT make
// those types; anything else is a string. The result is printed as Python's print() shows it; a
// fault goes to stderr as Python shows it (<Fault 1: '...'>), with exit status 1.
//
// Watch for:
//  - Each call is one HTTP POST of a <methodCall>; the calls of one run share one keep-alive
//    connection (--trace shows it), as a ServerProxy does.
//  - A fault is a normal 200 answer carrying <fault>; an HTTP error (404, 501) is something
//    else: Python raises ProtocolError for it, and so does this client (exit 1).
//
// Run the pair:   ./xmlrpc_server      ./xmlrpc_client
#include "http_client.hpp"
#include "xmlrpc.hpp"

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/json.hpp"

#include <iostream>
#include <set>
#include <string>
#include <vector>

namespace {

using xmlrpc::Value;

Value from_json(const nlohmann::json& j)
{
    if (j.is_boolean())
        return Value::boolean(j.get<bool>());
    if (j.is_number_integer()) {
        const auto v = j.get<std::int64_t>();
        if (v < INT32_MIN || v > INT32_MAX)
            throw netlab::UsageError("int " + j.dump() + " exceeds XML-RPC limits (32 bits)");
        return Value::integer(v);
    }
    if (j.is_number())
        return Value::dbl(j.get<double>());
    if (j.is_string())
        return Value::string(j.get<std::string>());
    if (j.is_null())
        return Value::nil();
    if (j.is_array()) {
        Value a = Value::array();
        for (const auto& item : j)
            a.items.push_back(from_json(item));
        return a;
    }
    Value s = Value::structure();
    for (const auto& [k, v] : j.items())
        s.add_member(k, from_json(v));
    return s;
}

Value argument(const std::string& text)
{
    if (text.starts_with("dateTime:"))
        return Value::datetime(text.substr(9));
    if (text.starts_with("base64:"))
        return Value::base64(text.substr(7));
    try {
        return from_json(netlab::parse_json<nlohmann::ordered_json>(text, xmlrpc::kMaxValueDepth));
    } catch (const netlab::JsonError&) {
        return Value::string(text);  // not JSON: a plain string, as typed
    }
}

std::string py_string(const std::string& s) { return xmlrpc::python_repr(Value::string(s)); }

class Proxy {
public:
    Proxy(const http::Url& url, http::ClientOptions options) : url_(url), client_(std::move(options)) {}

    // The result, or a fault (is_fault).
    xmlrpc::Response call(const std::string& method, std::vector<Value> params)
    {
        http::Request req;
        req.method = "POST";
        req.headers.add("Content-Type", "text/xml");
        req.body = xmlrpc::encode_call({method, std::move(params)});
        netlab::trace("> POST " + url_.target() + " <methodCall> " + method + " (" + std::to_string(req.body.size()) + " bytes)");
        const http::Response r = client_.request(url_, std::move(req));
        netlab::trace("< " + std::to_string(r.status) + " " + r.reason + " (" + std::to_string(r.body.size()) + " bytes)");
        if (r.status != 200)
            throw http::ClientError("<ProtocolError for " + url_.host_header() + url_.target() + ": " + std::to_string(r.status) +
                                    " " + r.reason + ">");
        try {
            return xmlrpc::parse_response(r.body);
        } catch (const xmlrpc::Error& e) {
            throw http::ClientError("bad XML-RPC response: " + std::string(e.what()));
        }
    }

private:
    http::Url url_;
    http::Client client_;
};

// The ARGs after METHOD, taken out of argv before the common command line sees it: it refuses
// words left over after its positional ones (URL, METHOD), and a vector option would split a
// JSON array at its commas. Words count as URL and METHOD until two are seen; after "--" every
// word is one (so an argument may start with '-').
std::vector<std::string> take_call_arguments(int& argc, char** argv)
{
    static const std::set<std::string> with_value{"--host", "--port", "-p", "--timeout", "--url", "--method"};
    std::vector<std::string> call_args;
    int kept = 1, words = 0;
    bool options_over = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (!options_over && a == "--") {
            options_over = true;
        } else if (!options_over && a.size() > 1 && a[0] == '-') {
            argv[kept++] = argv[i];
            if (with_value.count(a) && i + 1 < argc)
                argv[kept++] = argv[++i];
            continue;
        } else if (words == 2) {
            call_args.push_back(a);
            continue;
        } else {
            ++words;
        }
        argv[kept++] = argv[i];
    }
    argc = kept;
    return call_args;
}

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&]() -> int {
        netlab::Cli cli("xmlrpc_client", "XML-RPC client as lecture 001's xmlrpc.client.ServerProxy", "localhost", 8000);
        cli.add_timeout(10);
        cli.add()                                                                             //
            ("url", "server URL (default http://HOST:PORT/)", cxxopts::value<std::string>())  //
            ("method", "method to call (default: the lecture's is_even(3), is_even(100))", cxxopts::value<std::string>());
        // The arguments are the words after METHOD, taken out of argv before the options are
        // parsed; "--" before them lets one start with '-'.
        cli.positional({"url", "method"}, "[URL [METHOD [ARG...]]]");
        const auto call_args = take_call_arguments(argc, argv);
        auto args = cli.parse(argc, argv);

        const http::Url url = http::url_argument(args.count("url") ? std::optional(args["url"].as<std::string>()) : std::nullopt,
                                                 cli.host(), cli.port());
        std::vector<Value> params;
        for (const auto& a : call_args)
            params.push_back(argument(a));

        http::ClientOptions options;
        options.connect_timeout_ms = cli.timeout_ms();
        options.io_timeout_ms = cli.timeout_ms();
        Proxy proxy(url, options);
        try {
            if (!args.count("method")) {  // the lecture's two calls
                for (int n : {3, 100}) {
                    const auto r = proxy.call("is_even", {Value::integer(n)});
                    if (r.is_fault)
                        throw http::ClientError("<Fault " + std::to_string(r.fault_code) + ": " + py_string(r.fault_string) +
                                                ">");
                    std::cout << n << " is even: " << xmlrpc::python_str(r.value) << "\n";
                }
                return 0;
            }
            const auto r = proxy.call(args["method"].as<std::string>(), std::move(params));
            if (r.is_fault) {
                std::cerr << "xmlrpc_client: <Fault " << r.fault_code << ": " << py_string(r.fault_string) << ">" << std::endl;
                return 1;
            }
            std::cout << xmlrpc::python_str(r.value) << "\n";
            return 0;
        } catch (const http::ClientError& e) {
            std::cerr << "xmlrpc_client: " << e.what() << std::endl;
            return 1;
        } catch (const http::TlsError& e) {
            std::cerr << "xmlrpc_client: " << e.what() << std::endl;
            return 1;
        }
    });
}
