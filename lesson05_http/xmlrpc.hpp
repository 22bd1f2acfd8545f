// xmlrpc.hpp — XML-RPC messages (lecture 001: xmlrpc.server / xmlrpc.client) as pugixml builds
// and reads them; no sockets here (xmlrpc_server, xmlrpc_client and the fuzz target share it).
//
//   <methodCall><methodName>is_even</methodName>
//     <params><param><value><int>3</int></value></param></params></methodCall>
//   <methodResponse><params><param><value><boolean>0</boolean></value></param></params></methodResponse>
//
// Watch for:
//  - A value is a tree (arrays and structs hold values): the decoder recurses, so the document's
//    depth is checked first (xml_limits.hpp) and the recursion carries its own bound as well.
//  - <value>text</value> without a type element is a string; int and i4 are the same 32-bit type
//    (Python refuses to send an int outside it, and so do we).
//  - A fault is a response too: <fault><value><struct> faultCode, faultString </struct></value>.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xmlrpc {

struct Value {
    enum class Type { integer, boolean, string, dbl, datetime, base64, array, structure, nil };
    Type type = Type::string;
    std::int64_t i = 0;
    bool b = false;
    double d = 0;
    std::string s;                   // string; datetime's text (20261201T10:00:00); base64's decoded bytes
    std::vector<Value> items;        // array elements, struct member values
    std::vector<std::string> names;  // struct member names (items[k] is names[k]'s value)

    static Value integer(std::int64_t v)
    {
        Value x;
        x.type = Type::integer;
        x.i = v;
        return x;
    }
    static Value boolean(bool v)
    {
        Value x;
        x.type = Type::boolean;
        x.b = v;
        return x;
    }
    static Value string(std::string v)
    {
        Value x;
        x.type = Type::string;
        x.s = std::move(v);
        return x;
    }
    static Value dbl(double v)
    {
        Value x;
        x.type = Type::dbl;
        x.d = v;
        return x;
    }
    static Value datetime(std::string v)
    {
        Value x;
        x.type = Type::datetime;
        x.s = std::move(v);
        return x;
    }
    static Value base64(std::string bytes)
    {
        Value x;
        x.type = Type::base64;
        x.s = std::move(bytes);
        return x;
    }
    static Value nil()
    {
        Value x;
        x.type = Type::nil;
        return x;
    }
    static Value array(std::vector<Value> v = {})
    {
        Value x;
        x.type = Type::array;
        x.items = std::move(v);
        return x;
    }
    static Value structure()
    {
        Value x;
        x.type = Type::structure;
        return x;
    }
    void add_member(std::string name, Value v)
    {
        names.push_back(std::move(name));
        items.push_back(std::move(v));
    }
    const Value* member(std::string_view name) const;  // nullptr if the struct has none
};

// The message is not XML-RPC (malformed XML, too deep, a bad value); what() says what is wrong.
class Error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Call {
    std::string method;
    std::vector<Value> params;
};

struct Response {
    bool is_fault = false;
    Value value;  // the result
    int fault_code = 0;
    std::string fault_string;
};

inline constexpr int kMaxValueDepth = 30;  // arrays and structs inside each other

Call parse_call(std::string_view xml);
Response parse_response(std::string_view xml);

std::string encode_call(const Call& call);
std::string encode_response(const Value& result);
std::string encode_fault(int code, const std::string& text);

// What Python's print() shows for a result: str() at the top, repr() inside containers
// (False, 3, 'text', [1, 2], {'a': 1}, b'bytes', <DateTime '20261201T10:00:00'>, None).
std::string python_str(const Value& v);
std::string python_repr(const Value& v);
// The XML-RPC type name of a value ("int", "boolean", "string", "double", "dateTime.iso8601"...).
std::string type_name(const Value& v);

std::string base64_encode(std::string_view bytes);
// Whitespace is skipped (Python wraps lines at 76 characters); throws Error if not base64.
std::string base64_decode(std::string_view text);

}  // namespace xmlrpc
