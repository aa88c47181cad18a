// verify() is called from many request threads on one shared key set; each key lazily prepares
// its OpenSSL verification contexts on first use. Race them.
#include <doctest/doctest.h>

#include "jose_fixture.hpp"

#include <atomic>
#include <thread>
#include <vector>

using namespace fastmcp::jose;
using namespace fastmcp::jose::testing;

TEST_CASE("concurrent verify on one fresh key set: every token verifies, no forged one does") {
    const KeySet set = keys().keyset(); // fresh keys: no prepared contexts yet
    const Policy policy = good_policy({Alg::RS256, Alg::PS256, Alg::ES256, Alg::ES384, Alg::EdDSA});
    const std::vector<std::string> good = {
        mint(Alg::RS256, keys().rsa.get(), "rsa-1"), mint(Alg::PS256, keys().rsa.get(), "rsa-1"),
        mint(Alg::ES256, keys().ec256.get(), "ec-256"), mint(Alg::ES384, keys().ec384.get(), "ec-384"),
        mint(Alg::EdDSA, keys().ed.get(), "ed-1")};
    const std::string forged = mint(Alg::RS256, keys().rsa2.get(), "rsa-1");
    std::atomic<int> accepted{0}, wrongly_accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                const std::string &token = good[static_cast<size_t>(t + i) % good.size()];
                if (verify(token, set, policy, kNow).ok()) ++accepted;
                if (verify(forged, set, policy, kNow).ok()) ++wrongly_accepted;
            }
        });
    }
    for (auto &th : threads) th.join();
    CHECK(accepted == 160);
    CHECK(wrongly_accepted == 0);
}
