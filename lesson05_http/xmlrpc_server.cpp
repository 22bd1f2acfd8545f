// xmlrpc_server — lecture 001's SimpleXMLRPCServer: is_even on localhost:8000, plus the
// introspection and multicall functions Python's server registers, and demo methods over every
// XML-RPC type.
//
//   $ xmlrpc_server                               Listening on port 8000...
//   $ xmlrpc_client                               3 is even: False
//                                                 100 is even: True
//   $ xmlrpc_client http://localhost:8000/ system.listMethods
//
// Methods: is_even(n); add(a, b) (numbers, strings or arrays); echo(x) (any value back, as sent);
// type_of(x) (its XML-RPC type's name); now() (a dateTime.iso8601, UTC); system.listMethods(),
// system.methodHelp(name), system.methodSignature(name), system.multicall(calls).
//
// Watch for:
//  - XML-RPC is one HTTP POST per call to / (or /RPC2); the answer is always 200 with a
//    <methodResponse>: a failed call is a <fault> inside it, not an HTTP error. Like Python's
//    server a Python-style exception text is the faultString: <class 'TypeError'>:...
//  - The body is bounded (--max-body, 413 above it) and the XML's nesting depth too
//    (xml_limits.hpp): a 10,000-deep <array> is refused as a fault, it never reaches the
//    recursive value decoder.
//  - system.multicall runs many calls in one request and returns a list: [result] for each call
//    that worked, a {faultCode, faultString} struct for each that did not.
//
// Run the pair:   ./xmlrpc_server      ./xmlrpc_client   (or python3's xmlrpc.client)
#include "http_server.hpp"
#include "xmlrpc.hpp"

#include "common/cli.hpp"
#include "common/socket.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>

namespace {

using xmlrpc::Value;
using Type = Value::Type;

// A Python exception: the server's faultString is "<class 'TypeError'>:message", code 1.
struct PyError {
    std::string type, message;
    std::string text() const { return "<class '" + type + "'>:" + message; }
};

std::string py_type(const Value& v)
{
    switch (v.type) {
    case Type::integer: return "int";
    case Type::boolean: return "bool";
    case Type::string: return "str";
    case Type::dbl: return "float";
    case Type::datetime: return "DateTime";
    case Type::base64: return "Binary";
    case Type::array: return "list";
    case Type::structure: return "dict";
    case Type::nil: return "NoneType";
    }
    return "object";
}

struct Method {
    std::vector<std::string> params;  // names, for Python's "missing argument" messages
    std::string help;
    std::function<Value(const std::vector<Value>&)> run;
};

// Python's messages for a call with the wrong number of arguments.
void check_arity(const std::string& name, const Method& m, const std::vector<Value>& args)
{
    const std::size_t want = m.params.size();
    if (args.size() > want)
        throw PyError{"TypeError", name + "() takes " + std::to_string(want) + " positional argument" + (want == 1 ? "" : "s") +
                                       " but " + std::to_string(args.size()) + (args.size() == 1 ? " was" : " were") + " given"};
    if (args.size() < want) {
        const std::size_t missing = want - args.size();
        std::string names;
        for (std::size_t k = args.size(); k < want; ++k) {
            names += "'" + m.params[k] + "'";
            if (k + 2 < want)
                names += ", ";
            else if (k + 2 == want)
                names += missing > 2 ? ", and " : " and ";
        }
        throw PyError{"TypeError", name + "() missing " + std::to_string(missing) + " required positional argument" +
                                       (missing == 1 ? "" : "s") + ": " + names};
    }
}

bool is_number(const Value& v) { return v.type == Type::integer || v.type == Type::boolean || v.type == Type::dbl; }
double as_double(const Value& v) { return v.type == Type::dbl ? v.d : v.type == Type::boolean ? v.b : static_cast<double>(v.i); }
std::int64_t as_int(const Value& v) { return v.type == Type::boolean ? v.b : v.i; }

// An int result must fit XML-RPC's 32 bits, as Python's marshaller insists.
Value int_result(std::int64_t v)
{
    if (v < INT32_MIN || v > INT32_MAX)
        throw PyError{"OverflowError", "int exceeds XML-RPC limits"};
    return Value::integer(v);
}

class Dispatcher {
public:
    Dispatcher()
    {
        methods_["is_even"] = {
            {"n"}, "Returns True if n is even, False otherwise (lecture 001).", [](const auto& a) {
                const Value& n = a[0];
                if (n.type == Type::string)
                    throw PyError{"TypeError", "not all arguments converted during string formatting"};
                if (!is_number(n))
                    throw PyError{"TypeError", "unsupported operand type(s) for %: '" + py_type(n) + "' and 'int'"};
                if (n.type == Type::dbl)
                    return Value::boolean(std::fmod(n.d, 2.0) == 0);
                return Value::boolean(as_int(n) % 2 == 0);
            }};
        methods_["add"] = {
            {"a", "b"}, "Returns a + b: numbers, strings or arrays.", [](const auto& a) {
                const Value &x = a[0], &y = a[1];
                if (is_number(x) && is_number(y)) {
                    if (x.type == Type::dbl || y.type == Type::dbl)
                        return Value::dbl(as_double(x) + as_double(y));
                    return int_result(as_int(x) + as_int(y));
                }
                if (x.type == Type::string && y.type == Type::string)
                    return Value::string(x.s + y.s);
                if (x.type == Type::array && y.type == Type::array) {
                    Value r = x;
                    r.items.insert(r.items.end(), y.items.begin(), y.items.end());
                    return r;
                }
                throw PyError{"TypeError", "unsupported operand type(s) for +: '" + py_type(x) + "' and '" + py_type(y) + "'"};
            }};
        methods_["echo"] = {{"value"}, "Returns its argument unchanged (any XML-RPC type).", [](const auto& a) { return a[0]; }};
        methods_["type_of"] = {{"value"}, "Returns the XML-RPC type name of its argument.", [](const auto& a) {
                                   return Value::string(xmlrpc::type_name(a[0]));
                               }};
        methods_["now"] = {{}, "Returns the server's time (UTC) as a dateTime.iso8601.", [](const auto&) {
                               const std::time_t t = std::time(nullptr);
                               std::tm tm{};
                               gmtime_r(&t, &tm);
                               char buf[32];
                               std::strftime(buf, sizeof buf, "%Y%m%dT%H:%M:%S", &tm);
                               return Value::datetime(buf);
                           }};
        methods_["system.listMethods"] = {
            {},
            "system.listMethods() => ['add', 'subtract', 'multiple']\n\nReturns a list of the methods supported by the server.",
            [this](const auto&) {
                Value list = Value::array();
                for (const auto& [name, m] : methods_)  // a std::map: sorted, as Python sorts them
                    list.items.push_back(Value::string(name));
                return list;
            }};
        methods_["system.methodHelp"] = {{"method_name"},
                                         "system.methodHelp('add') => \"Adds two integers together\"\n\nReturns a string "
                                         "containing documentation for the specified method.",
                                         [this](const auto& a) {
                                             const auto it = a[0].type == Type::string ? methods_.find(a[0].s) : methods_.end();
                                             return Value::string(it == methods_.end() ? "" : it->second.help);
                                         }};
        methods_["system.methodSignature"] = {
            {"method_name"},
            "system.methodSignature('add') => [double, int, int]\n\nReturns a list describing the signature of the method. In "
            "the\nabove example, the add method takes two integers as arguments\nand returns a double result.\n\nThis server "
            "does NOT support system.methodSignature.",
            [](const auto&) { return Value::string("signatures not supported"); }};
        methods_["system.multicall"] = {
            {"call_list"},
            "system.multicall([{'methodName': 'add', 'params': [2, 2]}, ...]) => [[4], ...]\n\nAllows the caller to package "
            "multiple XML-RPC calls into a single\nrequest.\n\nSee http://www.xmlrpc.com/discuss/msgReader$1208",
            [this](const auto& a) { return multicall(a[0]); }};
    }

    // The whole POST body in, the whole <methodResponse> out.
    std::string handle(std::string_view body)
    {
        xmlrpc::Call call;
        try {
            call = xmlrpc::parse_call(body);
        } catch (const xmlrpc::Error& e) {
            return xmlrpc::encode_fault(1, PyError{"xml.parsers.expat.ExpatError", e.what()}.text());
        }
        try {
            return xmlrpc::encode_response(dispatch(call.method, call.params));
        } catch (const PyError& e) {
            return xmlrpc::encode_fault(1, e.text());
        }
    }

private:
    Value dispatch(const std::string& name, const std::vector<Value>& args)
    {
        const auto it = methods_.find(name);
        if (it == methods_.end())
            throw PyError{"Exception", "method \"" + name + "\" is not supported"};
        check_arity(name, it->second, args);
        return it->second.run(args);
    }

    Value multicall(const Value& calls)
    {
        if (calls.type != Type::array)
            throw PyError{"TypeError", "'" + py_type(calls) + "' object is not iterable"};
        Value results = Value::array();
        for (const Value& c : calls.items) {
            try {
                const Value* name = c.type == Type::structure ? c.member("methodName") : nullptr;
                const Value* params = c.type == Type::structure ? c.member("params") : nullptr;
                if (!name || !params)
                    throw PyError{"KeyError", name ? "'params'" : "'methodName'"};
                if (name->type != Type::string || params->type != Type::array)
                    throw PyError{"TypeError", "methodName must be a string and params an array"};
                if (name->s == "system.multicall")  // Python would recurse; one level is enough
                    throw PyError{"Exception", "system.multicall inside system.multicall is not supported"};
                results.items.push_back(Value::array({dispatch(name->s, params->items)}));
            } catch (const PyError& e) {
                Value fault = Value::structure();
                fault.add_member("faultCode", Value::integer(1));
                fault.add_member("faultString", Value::string(e.text()));
                results.items.push_back(std::move(fault));
            }
        }
        return results;
    }

    std::map<std::string, Method> methods_;
};

}  // namespace

int main(int argc, char** argv)
{
    return netlab::run([&] {
        netlab::Cli cli("xmlrpc_server", "XML-RPC server as lecture 001's SimpleXMLRPCServer: is_even and more", "localhost",
                        8000);
        http::add_server_options(cli);
        auto args = cli.parse(argc, argv);
        netlab::install_stop_handlers();

        http::ServerConfig config;
        config.program = "xmlrpc_server";
        config.server = "BaseHTTP/0.6 netlab-xmlrpc";
        http::read_server_options(args, config);
        Dispatcher rpc;
        http::Server server(config, [&rpc](const http::Request& req, const netlab::Endpoint&) {
            const std::string path = req.target.substr(0, req.target.find('?'));
            if (req.method != "POST")  // SimpleXMLRPCRequestHandler has only do_POST
                return http::error_reply(501, "Unsupported method ('" + req.method + "')");
            if (path != "/" && path != "/RPC2")  // its rpc_paths
                return http::error_reply(404, "No such page");
            return http::text_reply(200, "text/xml", rpc.handle(req.body));
        });
        server.listen(cli.host(), cli.port());
        std::cout << "Listening on port " << cli.port() << "..." << std::endl;
        server.run();
    });
}
