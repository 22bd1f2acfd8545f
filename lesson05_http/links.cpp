// links.cpp — see links.hpp.
#include "links.hpp"

#include <gumbo.h>

#include <memory>
#include <set>

namespace links {

namespace {

std::string lower_scheme(std::string_view ref)
{
    std::string s;
    for (char c : ref) {
        if (c == ':')
            return s;
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return "";
        s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return "";  // no colon: a relative reference
}

std::string trim(std::string_view s)  // HTML attribute URLs may carry surrounding spaces
{
    const auto b = s.find_first_not_of(" \t\r\n\f");
    if (b == std::string_view::npos)
        return {};
    return std::string(s.substr(b, s.find_last_not_of(" \t\r\n\f") - b + 1));
}

const char* link_attribute(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_AREA: return "href";
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO: return "src";
    default: return nullptr;
    }
}

}  // namespace

Extracted extract(std::string_view html, const http::Url& page)
{
    std::size_t tags = 0;
    for (std::size_t i = 0; i + 1 < html.size(); ++i)
        if (html[i] == '<' && std::isalpha(static_cast<unsigned char>(html[i + 1])) && ++tags > kMaxTags)
            throw Error("more than " + std::to_string(kMaxTags) + " tags: not parsed");
    // gumbo records every parse error with a copy of the stack of open elements, so a page of
    // 20,000 unclosed <b> (60 KB) took 12 s and 3 GB; we never read the errors, so keep none.
    static const GumboOptions options = [] {
        GumboOptions o = kGumboDefaultOptions;
        o.max_errors = 0;
        return o;
    }();
    std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(gumbo_parse_with_options(&options, html.data(), html.size()),
                                                             [](GumboOutput* o) { gumbo_destroy_output(&options, o); });
    if (!out)
        throw Error("gumbo could not parse the page");

    // Walk the tree with an explicit stack (document order), collecting (tag, reference).
    std::vector<std::pair<GumboTag, std::string>> refs;
    std::string base_href;
    bool have_base = false;
    std::vector<const GumboNode*> stack{out->root};
    while (!stack.empty()) {
        const GumboNode* n = stack.back();
        stack.pop_back();
        if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE)
            continue;
        const GumboElement& e = n->v.element;
        if (e.tag == GUMBO_TAG_BASE && !have_base)
            if (const GumboAttribute* a = gumbo_get_attribute(&e.attributes, "href")) {
                base_href = trim(a->value);
                have_base = true;
            }
        if (const char* name = link_attribute(e.tag))
            if (const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name))
                refs.emplace_back(e.tag, trim(a->value));
        for (unsigned i = e.children.length; i > 0; --i)
            stack.push_back(static_cast<const GumboNode*>(e.children.data[i - 1]));
    }

    http::Url base = page;
    if (have_base) {
        try {
            base = http::resolve_url(page, base_href);
        } catch (const http::UrlError&) {
        }
    }
    Extracted x;
    std::set<std::string> seen;
    for (const auto& [tag, ref] : refs) {
        const std::string scheme = lower_scheme(ref);
        if (ref.empty() || ref.front() == '#' || (!scheme.empty() && scheme != "http" && scheme != "https")) {
            ++x.skipped;
            continue;
        }
        try {
            http::Url u = http::resolve_url(base, ref);
            if (seen.insert(u.str()).second)
                x.urls.push_back(std::move(u));
        } catch (const http::UrlError&) {
            ++x.skipped;
        }
    }
    return x;
}

}  // namespace links
