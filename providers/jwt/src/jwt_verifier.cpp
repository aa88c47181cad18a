#include "fastmcp/jwt/jwt_verifier.hpp"

#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/jwt/settings_reader.hpp"

#include <algorithm>

namespace fastmcp::jwt {
namespace {

constexpr size_t kMinHmacSecretBytes = 32;

std::string unescape_newlines(std::string pem) {
    std::string out;
    for (size_t i = 0; i < pem.size(); ++i) {
        if (pem[i] == '\\' && i + 1 < pem.size() && pem[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += pem[i];
        }
    }
    return out;
}

std::string key_kind(const jose::Jwk &k) {
    switch (k.kty) {
    case jose::KeyType::RSA: return "an RSA key";
    case jose::KeyType::EC: return "an EC " + k.curve + " key";
    case jose::KeyType::OKP: return "an " + k.curve + " key";
    case jose::KeyType::Oct: return "a secret";
    }
    return "a key";
}

BearerConfig build_config(const plugin::Host &host, const SettingsReader &s,
                          const JwtBuildOptions &options) {
    BearerConfig c;
    c.provider_name = kJwtProviderName;
    c.mcp_path = std::string(host.mcp_path());
    if (auto base = s.url("base_url")) c.base_url = *base;
    c.resource_name = s.string("resource_name");
    c.resource_documentation = s.url("resource_documentation");
    jose::Policy &p = c.policy;

    // Algorithms come from the configuration, never from the token.
    std::vector<std::string> algs = s.list("algorithm");
    if (algs.empty()) algs = {"RS256"};
    p.allowed_algs.clear();
    bool any_hmac = false, any_public = false;
    for (const auto &name : algs) {
        auto a = jose::alg_from_name(name);
        if (!a) s.fail("algorithm", "'" + name + "' is not a supported algorithm");
        if (std::find(p.allowed_algs.begin(), p.allowed_algs.end(), *a) == p.allowed_algs.end())
            p.allowed_algs.push_back(*a);
        (jose::is_hmac(*a) ? any_hmac : any_public) = true;
    }

    const auto jwks_uri = s.url("jwks_uri");
    const auto public_key = s.string("public_key");
    const auto secret = s.string("hs_secret");
    const int sources = int(bool(jwks_uri)) + int(bool(public_key)) + int(bool(secret));
    if (sources != 1)
        throw plugin::ConfigError(
            s.variable("jwks_uri") + " / " + s.variable("public_key") + " / " +
            s.variable("hs_secret") + ": set exactly one of them (" +
            (sources == 0 ? "none is set" : "more than one is set") + ")");
    if (any_hmac && !secret)
        s.fail("algorithm", "HS256/384/512 need " + s.variable("hs_secret") +
                                "; a public key or JWKS is never used as an HMAC secret");
    if (secret && any_public)
        s.fail("algorithm", s.variable("hs_secret") + " verifies HS256/384/512 only; list only HS* algorithms");

    if (secret) {
        if (secret->size() < kMinHmacSecretBytes)
            s.fail("hs_secret", "must be at least 32 bytes long");
        auto set = std::make_shared<jose::KeySet>();
        set->keys.push_back(jose::key_from_secret(*secret));
        c.static_keys = std::move(set);
    } else if (public_key) {
        std::string why;
        auto key = jose::key_from_pem(unescape_newlines(*public_key), why);
        if (!key) s.fail("public_key", "not a usable PEM public key: " + why);
        const bool fits = std::any_of(p.allowed_algs.begin(), p.allowed_algs.end(),
                                      [&](jose::Alg a) { return key->fits(a); });
        if (!fits)
            s.fail("public_key", "is " + key_kind(*key) + ", which none of the configured "
                                 "algorithms can use (set " + s.variable("algorithm") + ")");
        auto set = std::make_shared<jose::KeySet>();
        set->keys.push_back(std::move(key));
        c.static_keys = std::move(set);
    } else {
        c.jwks = read_jwks_options(s, *jwks_uri, options.background);
    }

    p.issuers = s.list("issuer");
    if (p.issuers.empty())
        c.warnings.push_back(s.variable("issuer") + " is not set: the issuer is not checked");
    c.authorization_servers = s.list("authorization_servers");
    if (c.authorization_servers.empty()) c.authorization_servers = p.issuers;
    p.required_scopes = s.list("required_scopes");
    p.leeway_seconds = read_leeway_seconds(s);
    c.token_cache = read_token_cache_options(s);

    std::vector<std::string> fallback;
    if (!c.base_url.empty()) fallback = {resource_url(c.base_url, c.mcp_path)};
    if (!read_audience(s, c, std::move(fallback), "tokens issued for any resource are accepted")) {
        s.fail("audience", "set the accepted audience, or " + s.variable("base_url") +
                               " to accept the resource URL, or '*' to disable the audience check");
    }
    return c;
}

} // namespace

JWTVerifier::JWTVerifier(plugin::Host host, std::string_view settings_json, JwtBuildOptions options) {
    SettingsReader s(settings_json, kJwtEnvPrefix);
    core_ = std::make_unique<BearerCore>(host, build_config(host, s, options));
    core_->start();
}

} // namespace fastmcp::jwt
