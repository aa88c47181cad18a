// Strict base64url: only the canonical, unpadded encoding of a byte string decodes.
#include <doctest/doctest.h>

#include "fastmcp/jose/base64url.hpp"

#include <random>

using namespace fastmcp::jose;

TEST_CASE("base64url decodes canonical input") {
    CHECK(base64url_decode("") == std::string());
    CHECK(base64url_decode("Zg") == std::string("f"));
    CHECK(base64url_decode("Zm8") == std::string("fo"));
    CHECK(base64url_decode("Zm9v") == std::string("foo"));
    CHECK(base64url_decode("-_8") == std::string("\xfb\xff"));
    CHECK(base64url_decode("AAA") == std::string(2, '\0'));
}

TEST_CASE("base64url rejects padding, foreign characters and impossible lengths") {
    for (const char *bad : {"Zg==", "Zm8=", "Zm9v=", "=", "Zm9+", "Zm9/", "Zm 9v", "Zm9v\n", " Zm9v", "Zm9.",
                            "Z", "Zm9vZ", "Zm9v?", "Zm9v\t", "Zm9v%3D"}) {
        CAPTURE(bad);
        CHECK_FALSE(base64url_decode(bad).has_value());
        CHECK_FALSE(is_base64url(bad));
    }
    CHECK_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value());
    CHECK_FALSE(base64url_decode("Zm9\xc3\xa9").has_value());
}

TEST_CASE("base64url rejects non-zero unused trailing bits (non-canonical encodings)") {
    // "Zg" is 'f'; "Zh".."Zv" decode to 'f' too in lenient decoders.
    for (const char *bad : {"Zh", "Zi", "Zp", "Zv", "Zm9", "Zm-", "Zm_", "AB", "AAB"}) {
        CAPTURE(bad);
        CHECK_FALSE(base64url_decode(bad).has_value());
    }
}

TEST_CASE("base64url round-trips every length and byte value") {
    std::mt19937 rng(7);
    for (size_t len = 0; len < 200; ++len) {
        std::string bytes(len, '\0');
        for (auto &c : bytes) c = static_cast<char>(rng() & 0xff);
        const std::string text = base64url_encode(bytes);
        CAPTURE(len);
        CHECK(text.find_first_of("+/=") == std::string::npos);
        CHECK(text.size() == (len * 4 + 2) / 3);
        CHECK(base64url_decode(text) == bytes);
    }
}

TEST_CASE("base64url_decode_into reuses the output buffer") {
    std::string out = "previous contents that are longer";
    REQUIRE(base64url_decode_into("Zm9v", out));
    CHECK(out == "foo");
    CHECK_FALSE(base64url_decode_into("Zm9v=", out));
}
