// Catch2 v2 needs main() from one translation unit; v3 links Catch2::Catch2WithMain instead.
#if !NETLAB_CATCH2_V3
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
