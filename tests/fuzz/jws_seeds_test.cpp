// Keeps the JWS fuzzer meaningful: the fixed key set must accept the valid_* seeds (otherwise the
// fuzzer's "accepted => truly valid" oracle would never run) and refuse the others.
#include "fuzz_keys.hpp"

#include "fastmcp/jose/jws.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

TEST_CASE("fuzz jws_verify: the fixed key set accepts exactly the valid_* seeds") {
    std::string error;
    auto keys = fastmcp::jose::parse_jwks(fastmcp::fuzz::kJwks, {}, error);
    REQUIRE(keys);
    REQUIRE(keys->keys.size() == 3);
    fastmcp::jose::Policy policy;
    policy.allowed_algs = {fastmcp::jose::Alg::RS256, fastmcp::jose::Alg::ES256, fastmcp::jose::Alg::EdDSA};
    policy.issuers = {fastmcp::fuzz::kIssuer};
    policy.audiences = {fastmcp::fuzz::kAudience};
    int valid = 0;
    for (const auto &file : std::filesystem::directory_iterator(std::filesystem::path(FASTMCP_FUZZ_DIR) / "corpus" / "jws_verify")) {
        std::ifstream in(file.path(), std::ios::binary);
        const std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const bool expect_ok = file.path().filename().string().rfind("valid_", 0) == 0;
        const auto result = fastmcp::jose::verify(token, *keys, policy, fastmcp::fuzz::kNow);
        INFO(file.path().filename().string(), ": ", result.detail);
        CHECK(result.ok() == expect_ok);
        valid += expect_ok;
    }
    CHECK(valid >= 3);
}
