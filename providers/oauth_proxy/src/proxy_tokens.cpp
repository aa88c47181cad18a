#include "fastmcp/oauth_proxy/proxy_tokens.hpp"

#include "fastmcp/jose/signer.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <stdexcept>

namespace fastmcp::oauth_proxy {

std::string derive_signing_key(std::string_view secret) {
    if (secret.empty()) throw std::invalid_argument("no secret to derive the JWT signing key from");
    static constexpr std::string_view kSalt = "fastmcp-cpp oauth proxy";
    static constexpr std::string_view kInfo = "fastmcp-cpp oauth proxy jwt signing key v1";
    std::string out(32, '\0');
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    size_t len = out.size();
    const bool ok =
        ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1 &&
        EVP_PKEY_CTX_set1_hkdf_salt(ctx, reinterpret_cast<const unsigned char *>(kSalt.data()),
                                    static_cast<int>(kSalt.size())) == 1 &&
        EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char *>(secret.data()),
                                   static_cast<int>(secret.size())) == 1 &&
        EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char *>(kInfo.data()),
                                    static_cast<int>(kInfo.size())) == 1 &&
        EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char *>(out.data()), &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) throw std::runtime_error("HKDF failed while deriving the JWT signing key");
    return out;
}

ProxyTokens::ProxyTokens(std::string key, std::string issuer, std::string audience,
                         std::vector<std::string> required_scopes, int64_t leeway_seconds)
    : key_(std::move(key)), issuer_(std::move(issuer)), audience_(std::move(audience)) {
    keys_.keys.push_back(jose::key_from_secret(key_));
    policy_.allowed_algs = {jose::Alg::HS256};
    policy_.issuers = {issuer_};
    policy_.audiences = {audience_};
    policy_.required_scopes = std::move(required_scopes);
    policy_.leeway_seconds = leeway_seconds;
}

std::string ProxyTokens::mint(const ProxyTokenClaims &c) const {
    std::string scope;
    for (const auto &s : c.scopes) scope += (scope.empty() ? "" : " ") + s;
    nlohmann::json payload = {{"iss", issuer_},       {"aud", audience_},    {"sub", c.subject},
                              {"client_id", c.client_id}, {"jti", c.jti},      {"iat", c.issued_at},
                              {"exp", c.expires_at}};
    if (!scope.empty()) payload["scope"] = scope;
    return jose::sign_compact_hmac(nlohmann::json{{"typ", "JWT"}}, payload, jose::Alg::HS256, key_);
}

jose::Result ProxyTokens::verify(std::string_view token, int64_t now_seconds) const {
    return jose::verify(token, keys_, policy_, now_seconds);
}

} // namespace fastmcp::oauth_proxy
