// links.hpp — every link of an HTML page, as link_checker needs them (lecture 001, practice 3):
// parsed with gumbo (the HTML5 parsing algorithm browsers use), no sockets here.
//
// Watch for:
//  - The links are a href, img/script/iframe/source src, link href; a <base href> changes what
//    relative ones are relative to (the first one counts, as in a browser).
//  - Fragments ("#top") point into the same page, and mailto:, javascript:, tel:, data: are not
//    fetched at all: they are counted as skipped, not checked.
//  - gumbo builds (and frees) the tree recursively, so a page is refused above 20,000 tags:
//    nesting can never go deeper than that, however hostile the page.
//  - gumbo's record of parse errors is switched off: it copies the open elements into each one,
//    which made unclosed tags cost memory and time quadratic in their number.
#pragma once

#include "url.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace links {

class Error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxTags = 20'000;

struct Extracted {
    std::vector<http::Url> urls;  // absolute http(s) URLs, deduplicated, in page order
    std::size_t skipped = 0;      // fragments, mailto:, javascript:, other schemes, unparsable
};

// Throws Error for a page with more than kMaxTags tags.
Extracted extract(std::string_view html, const http::Url& page);

}  // namespace links
