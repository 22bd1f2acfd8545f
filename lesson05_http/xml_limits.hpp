// xml_limits.hpp — reading XML that came from the network, with a nesting-depth limit.
//
// Watch for: like JSON (common/json.hpp), an XML document is a tree and nesting is cheap for the
// sender: "<a><a><a>..." 100,000 deep is a few hundred KB. pugixml itself parses without
// recursion, but any code that then walks the tree recursively (an XML-RPC value decoder) needs
// one stack frame per level. So a document from a peer is parsed here and its depth measured by
// an iterative walk — before anything else touches it — and a deeper one is refused.
#pragma once

#include <pugixml.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace netlab {

inline constexpr int kMaxXmlDepth = 100;  // elements inside each other

class XmlError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The depth of the deepest element (the root element is 1), walked without recursion.
inline int xml_depth(const pugi::xml_node& root)
{
    int depth = 0, deepest = 0;
    pugi::xml_node n = root.first_child();
    while (n) {
        if (n.type() == pugi::node_element && depth + 1 > deepest)
            deepest = depth + 1;
        if (n.first_child()) {  // down
            n = n.first_child();
            ++depth;
            continue;
        }
        while (n && !n.next_sibling() && n != root) {  // up until a sibling is there
            n = n.parent();
            --depth;
        }
        if (!n || n == root)
            break;
        n = n.next_sibling();
    }
    return deepest;
}

// Parses `text` into `doc` or throws XmlError (malformed, or deeper than `max_depth`).
inline void parse_xml(pugi::xml_document& doc, std::string_view text, int max_depth = kMaxXmlDepth)
{
    const pugi::xml_parse_result r = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r)
        throw XmlError(std::string("malformed XML: ") + r.description() + " at byte " + std::to_string(r.offset));
    if (xml_depth(doc) > max_depth)
        throw XmlError("XML nested deeper than " + std::to_string(max_depth) + " levels");
}

}  // namespace netlab
