// xmlrpc.cpp — see xmlrpc.hpp.
#include "xmlrpc.hpp"

#include "xml_limits.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>

namespace xmlrpc {

const Value* Value::member(std::string_view name) const
{
    for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name)
            return &items[k];
    return nullptr;
}

// ---- base64 ---------------------------------------------------------------------------------------
std::string base64_encode(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64_decode(std::string_view text)
{
    std::string clean;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            clean += c;
    if (clean.size() % 4 != 0)
        throw Error("base64: length is not a multiple of 4");
    std::string out(clean.size() / 4 * 3 + 1, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
    if (n < 0)
        throw Error("base64: not valid base64");
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes: take them off again.
    for (std::size_t k = clean.size(); k > 0 && clean[k - 1] == '=' && len > 0; --k)
        --len;
    out.resize(len);
    return out;
}

// ---- decoding -------------------------------------------------------------------------------------
namespace {

std::string trimmed(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// The element children of `n`, skipping whitespace text (pugixml drops it by default) and comments.
pugi::xml_node first_element(pugi::xml_node n)
{
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element)
            return c;
    return {};
}

Value decode_value(pugi::xml_node value, int depth);

std::int64_t parse_int(const std::string& text, const char* type)
{
    std::int64_t v = 0;
    const char* b = text.data();
    const char* e = b + text.size();
    if (!text.empty() && *b == '+')
        ++b;
    const auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr != e || b == e)
        throw Error(std::string("bad <") + type + "> value '" + text + "'");
    if (std::strcmp(type, "i8") != 0 && (v < INT32_MIN || v > INT32_MAX))
        throw Error(std::string("<") + type + "> value " + text + " is outside the 32-bit range");
    return v;
}

Value decode_typed(pugi::xml_node t, int depth)
{
    const std::string name = t.name();
    const std::string text = t.child_value();
    if (name == "int" || name == "i4" || name == "i8")
        return Value::integer(parse_int(trimmed(text), name.c_str()));
    if (name == "boolean") {
        const std::string v = trimmed(text);
        if (v != "0" && v != "1")
            throw Error("bad boolean value '" + v + "'");
        return Value::boolean(v == "1");
    }
    if (name == "string")
        return Value::string(text);
    if (name == "double") {
        const std::string v = trimmed(text);
        double d = 0;
        const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec != std::errc() || ptr != v.data() + v.size() || v.empty())
            throw Error("bad <double> value '" + v + "'");
        return Value::dbl(d);
    }
    if (name == "dateTime.iso8601")
        return Value::datetime(trimmed(text));
    if (name == "base64")
        return Value::base64(base64_decode(text));
    if (name == "nil")
        return Value::nil();
    if (name == "array") {
        pugi::xml_node data = t.child("data");
        if (!data)
            throw Error("<array> without <data>");
        Value a = Value::array();
        for (pugi::xml_node v = data.child("value"); v; v = v.next_sibling("value"))
            a.items.push_back(decode_value(v, depth + 1));
        return a;
    }
    if (name == "struct") {
        Value s = Value::structure();
        for (pugi::xml_node m = t.child("member"); m; m = m.next_sibling("member")) {
            pugi::xml_node n = m.child("name"), v = m.child("value");
            if (!n || !v)
                throw Error("<member> needs a <name> and a <value>");
            s.add_member(n.child_value(), decode_value(v, depth + 1));
        }
        return s;
    }
    throw Error("unknown value type <" + name + ">");
}

// depth counts arrays and structs; the document's depth check already bounds it, this makes the
// bound the decoder's own.
Value decode_value(pugi::xml_node value, int depth)
{
    if (depth > kMaxValueDepth)
        throw Error("values nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
    pugi::xml_node typed = first_element(value);
    if (!typed)
        return Value::string(value.child_value());  // no type element: a string
    return decode_typed(typed, depth);
}

std::vector<Value> decode_params(pugi::xml_node params)
{
    std::vector<Value> out;
    for (pugi::xml_node p = params.child("param"); p; p = p.next_sibling("param")) {
        pugi::xml_node v = p.child("value");
        if (!v)
            throw Error("<param> without <value>");
        out.push_back(decode_value(v, 0));
    }
    return out;
}

void parse(pugi::xml_document& doc, std::string_view xml)
{
    try {
        netlab::parse_xml(doc, xml);
    } catch (const netlab::XmlError& e) {
        throw Error(e.what());
    }
}

}  // namespace

Call parse_call(std::string_view xml)
{
    pugi::xml_document doc;
    parse(doc, xml);
    pugi::xml_node call = doc.child("methodCall");
    if (!call)
        throw Error("not an XML-RPC call: no <methodCall> element");
    Call c;
    c.method = trimmed(call.child("methodName").child_value());
    if (c.method.empty())
        throw Error("no <methodName> in the call");
    if (pugi::xml_node params = call.child("params"))
        c.params = decode_params(params);
    return c;
}

Response parse_response(std::string_view xml)
{
    pugi::xml_document doc;
    parse(doc, xml);
    pugi::xml_node resp = doc.child("methodResponse");
    if (!resp)
        throw Error("not an XML-RPC response: no <methodResponse> element");
    Response r;
    if (pugi::xml_node fault = resp.child("fault")) {
        const Value f = decode_value(fault.child("value"), 0);
        const Value* code = f.member("faultCode");
        const Value* text = f.member("faultString");
        if (f.type != Value::Type::structure || !code || code->type != Value::Type::integer || !text)
            throw Error("a <fault> needs a struct with faultCode and faultString");
        r.is_fault = true;
        r.fault_code = static_cast<int>(code->i);
        r.fault_string = text->s;
        return r;
    }
    const auto params = decode_params(resp.child("params"));
    if (params.size() != 1)
        throw Error("a response must hold exactly one <param>, not " + std::to_string(params.size()));
    r.value = params[0];
    return r;
}

// ---- encoding -------------------------------------------------------------------------------------
namespace {

std::string format_double(double d)
{
    if (std::isnan(d))
        return "nan";
    if (std::isinf(d))
        return d > 0 ? "inf" : "-inf";
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, ptr);
    if (s.find_first_of(".en") == std::string::npos)
        s += ".0";  // Python's repr(3.0) is "3.0"
    return s;
}

void encode_value(pugi::xml_node parent, const Value& v)
{
    pugi::xml_node value = parent.append_child("value");
    auto typed = [&](const char* name, const std::string& text) {
        value.append_child(name).append_child(pugi::node_pcdata).set_value(text.c_str());
    };
    switch (v.type) {
    case Value::Type::integer: typed("int", std::to_string(v.i)); break;
    case Value::Type::boolean: typed("boolean", v.b ? "1" : "0"); break;
    case Value::Type::string: typed("string", v.s); break;
    case Value::Type::dbl: typed("double", format_double(v.d)); break;
    case Value::Type::datetime: typed("dateTime.iso8601", v.s); break;
    case Value::Type::base64: typed("base64", base64_encode(v.s)); break;
    case Value::Type::nil: value.append_child("nil"); break;
    case Value::Type::array: {
        pugi::xml_node data = value.append_child("array").append_child("data");
        for (const Value& item : v.items)
            encode_value(data, item);
        break;
    }
    case Value::Type::structure: {
        pugi::xml_node s = value.append_child("struct");
        for (std::size_t k = 0; k < v.names.size(); ++k) {
            pugi::xml_node m = s.append_child("member");
            m.append_child("name").append_child(pugi::node_pcdata).set_value(v.names[k].c_str());
            encode_value(m, v.items[k]);
        }
        break;
    }
    }
}

std::string to_string(const pugi::xml_document& doc)
{
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw);  // with the <?xml version="1.0"?> declaration
    return out.str() + "\n";
}

}  // namespace

std::string encode_call(const Call& call)
{
    pugi::xml_document doc;
    doc.append_child(pugi::node_declaration).append_attribute("version") = "1.0";
    pugi::xml_node c = doc.append_child("methodCall");
    c.append_child("methodName").append_child(pugi::node_pcdata).set_value(call.method.c_str());
    pugi::xml_node params = c.append_child("params");
    for (const Value& p : call.params)
        encode_value(params.append_child("param"), p);
    return to_string(doc);
}

std::string encode_response(const Value& result)
{
    pugi::xml_document doc;
    doc.append_child(pugi::node_declaration).append_attribute("version") = "1.0";
    encode_value(doc.append_child("methodResponse").append_child("params").append_child("param"), result);
    return to_string(doc);
}

std::string encode_fault(int code, const std::string& text)
{
    pugi::xml_document doc;
    doc.append_child(pugi::node_declaration).append_attribute("version") = "1.0";
    Value f = Value::structure();
    f.add_member("faultCode", Value::integer(code));
    f.add_member("faultString", Value::string(text));
    encode_value(doc.append_child("methodResponse").append_child("fault"), f);
    return to_string(doc);
}

// ---- printing as Python does ---------------------------------------------------------------------
namespace {

std::string py_quote(std::string_view s, bool bytes)
{
    const bool single = s.find('\'') == std::string_view::npos || s.find('"') != std::string_view::npos;
    const char q = single ? '\'' : '"';
    std::string out = bytes ? "b" : "";
    out += q;
    for (unsigned char c : s) {
        if (c == static_cast<unsigned char>(q) || c == '\\')
            out += '\\', out += static_cast<char>(c);
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else
            out += static_cast<char>(c);
    }
    return out + q;
}

}  // namespace

std::string python_repr(const Value& v)
{
    switch (v.type) {
    case Value::Type::integer: return std::to_string(v.i);
    case Value::Type::boolean: return v.b ? "True" : "False";
    case Value::Type::string: return py_quote(v.s, false);
    case Value::Type::dbl: return format_double(v.d);
    case Value::Type::datetime: return "<DateTime '" + v.s + "'>";
    case Value::Type::base64: return py_quote(v.s, true);
    case Value::Type::nil: return "None";
    case Value::Type::array: {
        std::string out = "[";
        for (std::size_t k = 0; k < v.items.size(); ++k)
            out += (k ? ", " : "") + python_repr(v.items[k]);
        return out + "]";
    }
    case Value::Type::structure: {
        std::string out = "{";
        for (std::size_t k = 0; k < v.items.size(); ++k)
            out += (k ? ", " : "") + py_quote(v.names[k], false) + ": " + python_repr(v.items[k]);
        return out + "}";
    }
    }
    return "?";
}

std::string python_str(const Value& v)
{
    if (v.type == Value::Type::string || v.type == Value::Type::datetime)
        return v.s;
    return python_repr(v);
}

std::string type_name(const Value& v)
{
    switch (v.type) {
    case Value::Type::integer: return "int";
    case Value::Type::boolean: return "boolean";
    case Value::Type::string: return "string";
    case Value::Type::dbl: return "double";
    case Value::Type::datetime: return "dateTime.iso8601";
    case Value::Type::base64: return "base64";
    case Value::Type::array: return "array";
    case Value::Type::structure: return "struct";
    case Value::Type::nil: return "nil";
    }
    return "?";
}

}  // namespace xmlrpc
