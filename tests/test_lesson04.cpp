// Integration tests for lesson04_multiconn (TEMPORARY: the two parts are merged into this file).
#include "support/catch.hpp"
#include "support/harness.hpp"

#if NETLAB_L04_MODELS && __has_include("lesson04_models.inc")
#include "lesson04_models.inc"
#endif
#if NETLAB_L04_APP && __has_include("lesson04_app.inc")
#include "lesson04_app.inc"
#endif
