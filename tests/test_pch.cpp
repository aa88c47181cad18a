// Owner of the tests' shared precompiled header (tests/test_pch.hpp); compiles nothing else.
