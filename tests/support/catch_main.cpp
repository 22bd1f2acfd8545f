// Catch2 v2 needs main() from one translation unit; v3 links Catch2::Catch2WithMain instead.
#if !NETLAB_CATCH2_V3
#define CATCH_CONFIG_MAIN
// Failure messages carry whole lines of a transcript: wrap them late (scripts/grade prints them).
#define CATCH_CONFIG_CONSOLE_WIDTH 160
#include <catch2/catch.hpp>
#endif
