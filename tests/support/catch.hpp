// tests/support/catch.hpp — one include for Catch2 v3 (Ubuntu 24.04, Fedora, Homebrew) and
// v2.13 (Debian 12). Tests use only what both versions have; a table of cases is
//   const Row row = GENERATE(from_range(kRows));   // one run of the test case per row
//   DYNAMIC_SECTION(row.name) { ... }               // a failure names its row
// (GENERATE's lambda captures nothing: the table lives at namespace scope).
#pragma once

#if NETLAB_CATCH2_V3
#include <catch2/catch_message.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <iostream>

// Ends the current test case as "skipped": ctest recognises the marker line (see
// tests/CMakeLists.txt, SKIP_REGULAR_EXPRESSION) and reports the test as skipped with the reason.
#define NETLAB_SKIP(reason)                                    \
    do {                                                       \
        std::cout << "NETLAB-SKIP: " << (reason) << std::endl; \
        return;                                                \
    } while (0)
