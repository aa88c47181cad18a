// Fuzz target: JWK / JWKS parsing into EVP_PKEYs (fastmcp::jose::parse_jwks, parse_jwk).
// Invariants: nothing throws; a usable key honours the options (no oct unless allowed, RSA of at
// least min_rsa_bits, EC/OKP with a named curve); usable + skipped never exceeds the input key
// count; and each single object under "keys" gives the same verdict through parse_jwk.
#include "fuzz_support.hpp"

#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace {
constexpr const char *kTarget = "jwks";

void check_key(const fastmcp::jose::Jwk &k, const fastmcp::jose::KeySetOptions &opts) {
    using fastmcp::jose::KeyType;
    if (k.kty == KeyType::Oct) {
        if (!opts.allow_oct)
            fastmcp::fuzz::invariant_failed(kTarget, "an oct key was accepted without allow_oct");
        if (k.secret.empty()) fastmcp::fuzz::invariant_failed(kTarget, "an empty HMAC secret was accepted");
        return;
    }
    if (!k.pkey) fastmcp::fuzz::invariant_failed(kTarget, "a public key without an EVP_PKEY");
    if (k.kty == KeyType::RSA && k.bits < opts.min_rsa_bits) fastmcp::fuzz::invariant_failed(kTarget, "a small RSA key was accepted");
    if ((k.kty == KeyType::EC || k.kty == KeyType::OKP) && k.curve.empty())
        fastmcp::fuzz::invariant_failed(kTarget, "a curve key without a curve");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    const std::string_view doc = fuzz::as_view(data, size);
    // The first byte picks the options so both the strict default and allow_oct get explored.
    jose::KeySetOptions opts;
    opts.allow_oct = size > 0 && (data[0] & 1) == 0;
    std::string error;
    const auto set = jose::parse_jwks(doc, opts, error, 64 * 1024);
    if (!set) {
        if (error.empty()) fuzz::invariant_failed(kTarget, "rejected without an error");
        return 0;
    }
    for (const auto &k : set->keys) {
        if (!k) fuzz::invariant_failed(kTarget, "null key in the set");
        check_key(*k, opts);
        if (!k->kid.empty() && set->find(k->kid) == nullptr) fuzz::invariant_failed(kTarget, "find() misses a kid");
    }
    const auto j = nlohmann::json::parse(doc, nullptr, false);
    if (!j.is_object() || !j.contains("keys") || !j["keys"].is_array())
        fuzz::invariant_failed(kTarget, "accepted a document without a keys array");
    if (set->keys.size() + set->skipped.size() > j["keys"].size())
        fuzz::invariant_failed(kTarget, "more keys out than in");
    for (const auto &item : j["keys"]) {
        std::string why;
        auto one = jose::parse_jwk(item, opts, why);
        if (one) check_key(*one, opts);
        else if (why.empty()) fuzz::invariant_failed(kTarget, "a key was skipped without a reason");
    }
    return 0;
}
