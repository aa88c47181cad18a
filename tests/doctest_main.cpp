// The doctest runner shared by every test executable (tests/CMakeLists.txt: fastmcp_doctest_main).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
