// Fuzz target: JWS compact parsing and full verification (fastmcp::jose::parse_compact, verify,
// verify_jws) against a fixed key set (RS256, ES256, EdDSA; tests/fuzz/fuzz_keys.hpp).
// Invariants: nothing throws; and every token the verifier accepts is accepted by an independent
// oracle written here directly on OpenSSL (strict base64url, allowed alg, key by kid, signature,
// iss/aud/exp/nbf). A mutated token can only pass if it is truly valid.
#include "fuzz_support.hpp"
#include "fuzz_keys.hpp"

#include "fastmcp/jose/jws.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <optional>
#include <string>

namespace {
constexpr const char *kTarget = "jws_verify";
using fastmcp::fuzz::invariant_failed;

struct Fixture {
    fastmcp::jose::KeySet keys;
    fastmcp::jose::Policy policy;
    EVP_PKEY *oracle_keys[3] = {};
};

const Fixture &fixture() {
    static const Fixture *f = [] {
        auto *fx = new Fixture;
        std::string error;
        auto set = fastmcp::jose::parse_jwks(fastmcp::fuzz::kJwks, {}, error);
        if (!set || set->keys.size() != 3) invariant_failed(kTarget, "the fixed JWKS does not parse into 3 keys");
        fx->keys = std::move(*set);
        fx->policy.allowed_algs = {fastmcp::jose::Alg::RS256, fastmcp::jose::Alg::ES256, fastmcp::jose::Alg::EdDSA};
        fx->policy.issuers = {fastmcp::fuzz::kIssuer};
        fx->policy.audiences = {fastmcp::fuzz::kAudience};
        for (int i = 0; i < 3; ++i) {
            const char *pem = fastmcp::fuzz::kOracleKeys[i].public_pem;
            BIO *bio = BIO_new_mem_buf(pem, -1);
            fx->oracle_keys[i] = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
            BIO_free(bio);
            if (!fx->oracle_keys[i]) invariant_failed(kTarget, "oracle key does not load");
        }
        return fx;
    }();
    return *f;
}

// Strict base64url decode with OpenSSL's block decoder: alphabet, no padding, canonical bits
// (checked by re-encoding).
std::optional<std::string> b64url(std::string_view in) {
    std::string std64;
    for (char c : in) {
        if (c == '-') std64 += '+';
        else if (c == '_') std64 += '/';
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) std64 += c;
        else return std::nullopt;
    }
    if (in.size() % 4 == 1) return std::nullopt;
    size_t pad = (4 - std64.size() % 4) % 4;
    std64.append(pad, '=');
    std::string out(std64.size() / 4 * 3 + 1, '\0');
    int n = std64.empty() ? 0
                          : EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                            reinterpret_cast<const unsigned char *>(std64.data()), static_cast<int>(std64.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<size_t>(n) - pad);
    std::string again(out.size() / 3 * 4 + 8, '\0');
    int m = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(again.data()),
                            reinterpret_cast<const unsigned char *>(out.data()), static_cast<int>(out.size()));
    again.resize(static_cast<size_t>(m));
    if (again != std64) return std::nullopt;
    return out;
}

bool oracle_signature(std::string_view alg, EVP_PKEY *key, std::string_view input, std::string sig) {
    const EVP_MD *md = nullptr;
    if (alg == "RS256") {
        md = EVP_sha256();
    } else if (alg == "ES256") {
        md = EVP_sha256();
        if (sig.size() != 64) return false;
        ECDSA_SIG *es = ECDSA_SIG_new();
        auto *p = reinterpret_cast<const unsigned char *>(sig.data());
        ECDSA_SIG_set0(es, BN_bin2bn(p, 32, nullptr), BN_bin2bn(p + 32, 32, nullptr));
        unsigned char *der = nullptr;
        int len = i2d_ECDSA_SIG(es, &der);
        ECDSA_SIG_free(es);
        if (len <= 0) return false;
        sig.assign(reinterpret_cast<char *>(der), static_cast<size_t>(len));
        OPENSSL_free(der);
    } else if (alg != "EdDSA") {
        return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char *>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

// Structure + signature, independently of fastmcp::jose. Fills `payload` with the decoded bytes.
bool oracle_signed(std::string_view token, std::string &payload) {
    const size_t d1 = token.find('.');
    if (d1 == std::string_view::npos) return false;
    const size_t d2 = token.find('.', d1 + 1);
    if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) return false;
    auto header = b64url(token.substr(0, d1));
    auto body = b64url(token.substr(d1 + 1, d2 - d1 - 1));
    auto sig = b64url(token.substr(d2 + 1));
    if (!header || !body || !sig) return false;
    auto h = nlohmann::json::parse(*header, nullptr, false);
    if (!h.is_object() || !h.contains("alg") || !h["alg"].is_string() || h.contains("crit")) return false;
    const std::string alg = h["alg"];
    const bool has_kid = h.contains("kid");
    if (has_kid && !h["kid"].is_string()) return false;
    payload = *body;
    for (int i = 0; i < 3; ++i) {
        const auto &k = fastmcp::fuzz::kOracleKeys[i];
        if (alg != k.alg || (has_kid && h["kid"] != k.kid)) continue;
        if (oracle_signature(alg, fixture().oracle_keys[i], token.substr(0, d2), *sig)) return true;
    }
    return false;
}

bool oracle_claims(const std::string &payload) {
    auto c = nlohmann::json::parse(payload, nullptr, false);
    if (!c.is_object()) return false;
    const long long leeway = 60, now = fastmcp::fuzz::kNow;
    if (!c.contains("iss") || c["iss"] != fastmcp::fuzz::kIssuer) return false;
    if (!c.contains("aud")) return false;
    const auto &aud = c["aud"];
    bool aud_ok = aud == fastmcp::fuzz::kAudience;
    if (aud.is_array())
        for (const auto &a : aud) aud_ok = aud_ok || a == fastmcp::fuzz::kAudience;
    if (!aud_ok) return false;
    if (!c.contains("exp") || !c["exp"].is_number() || c["exp"].get<double>() + leeway < static_cast<double>(now)) return false;
    if (c.contains("nbf") && (!c["nbf"].is_number() || c["nbf"].get<double>() - leeway > static_cast<double>(now))) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    const Fixture &fx = fixture();
    const std::string_view token = fuzz::as_view(data, size);

    jose::ParsedJws parsed;
    std::string detail;
    (void)jose::parse_compact(token, fx.policy.max_token_bytes, parsed, detail);
    jose::ParsedJws raw;
    (void)jose::parse_compact(token, fx.policy.max_token_bytes, raw, detail, false);

    const jose::Result full = jose::verify(token, fx.keys, fx.policy, fuzz::kNow);
    const jose::Result sig_only = jose::verify_jws(token, fx.keys, fx.policy);
    if (full.ok() && !sig_only.ok()) invariant_failed(kTarget, "verify accepted what verify_jws refused");
    if (full.ok() && full.key == nullptr) invariant_failed(kTarget, "accepted without naming the key");
    if (!full.ok() && full.reason == FASTMCP_REASON_OK) invariant_failed(kTarget, "inconsistent result");
    // The bearer fast path (no DOM) must reach exactly the DOM path's verdict.
    const jose::Result bearer = jose::verify_bearer(token, fx.keys, fx.policy, fuzz::kNow);
    if (bearer.reason != full.reason || bearer.scopes != full.scopes)
        invariant_failed(kTarget, "verify_bearer and verify disagree");
    jose::ParsedJws fast;
    if ((jose::parse_compact(token, fx.policy.max_token_bytes, fast, detail, jose::PayloadMode::Registered) ==
         FASTMCP_REASON_OK) != (jose::parse_compact(token, fx.policy.max_token_bytes, parsed, detail) == FASTMCP_REASON_OK))
        invariant_failed(kTarget, "the registered-claims parse and the DOM parse disagree");
    if (sig_only.ok() || full.ok()) {
        std::string payload;
        if (!oracle_signed(token, payload)) invariant_failed(kTarget, "accepted a signature the oracle rejects");
        if (full.ok() && !oracle_claims(payload)) invariant_failed(kTarget, "accepted claims the oracle rejects");
    }
    return 0;
}
