// JWTVerifier (module jwt, prefix FASTMCP_SERVER_AUTH_JWT_): FastMCP's generic JWT verifier.
// Keys come from exactly one of JWKS_URI, PUBLIC_KEY (PEM) or HS_SECRET. HS* algorithms work
// only with HS_SECRET: a public key is never used as an HMAC secret.
#pragma once

#include "fastmcp/jwt/bearer_core.hpp"
#include "fastmcp/jwt/bearer_settings.hpp"
#include "fastmcp/provider.hpp"

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace fastmcp::jwt {

inline constexpr const char *kJwtProviderName = "JWTVerifier";
inline constexpr const char *kJwtEnvPrefix = "FASTMCP_SERVER_AUTH_JWT_";

// JWTVerifier's own fields; the shared bearer fields (LEEWAY ... RESOURCE_DOCUMENTATION) follow.
inline constexpr std::array kJwtOwnFields = {
    plugin::field("JWKS_URI", FASTMCP_FIELD_URL, 0, nullptr,
                  "URL of the issuer's JWKS (set exactly one of JWKS_URI, PUBLIC_KEY, HS_SECRET)",
                  "https://auth.example.com/.well-known/jwks.json"),
    plugin::field("PUBLIC_KEY", FASTMCP_FIELD_STRING, 0, nullptr,
                  "PEM public key or certificate (\\n escapes allowed) instead of a JWKS",
                  "-----BEGIN PUBLIC KEY-----\\n...\\n-----END PUBLIC KEY-----"),
    plugin::field("HS_SECRET", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr,
                  "Shared secret (at least 32 bytes) for HS256/384/512; the only way HS* works",
                  nullptr),
    plugin::field("ISSUER", FASTMCP_FIELD_LIST, 0, nullptr, "Accepted issuer(s), matched exactly",
                  "https://auth.example.com"),
    plugin::field("AUDIENCE", FASTMCP_FIELD_LIST, 0, nullptr,
                  "Accepted audience(s); default is the resource URL when BASE_URL is set. '*' "
                  "disables the audience check (not recommended)",
                  "http://localhost:8000/mcp"),
    plugin::field("ALGORITHM", FASTMCP_FIELD_LIST, 0, "RS256",
                  "Accepted algorithm(s): RS/PS/ES 256/384/512, EdDSA; HS* only with HS_SECRET",
                  "RS256,ES256"),
    plugin::field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr,
                  "Scopes every token must carry", "read,write"),
    plugin::field("BASE_URL", FASTMCP_FIELD_URL, 0, nullptr,
                  "Public URL of this server; enables the protected-resource metadata",
                  "http://localhost:8000"),
    plugin::field("AUTHORIZATION_SERVERS", FASTMCP_FIELD_LIST, 0, nullptr,
                  "Authorization servers named in the protected-resource metadata (default: ISSUER)",
                  "https://auth.example.com"),
};
inline constexpr auto kJwtFields = concat_fields(kJwtOwnFields, bearer_common_fields());
inline constexpr size_t kJwtFieldCount = kJwtFields.size();

struct JwtBuildOptions {
    bool background = true; // false in unit tests: they drive the key source with tick()
};

class JWTVerifier final : public plugin::Provider {
public:
    JWTVerifier(plugin::Host host, std::string_view settings_json)
        : JWTVerifier(host, settings_json, JwtBuildOptions{}) {}
    JWTVerifier(plugin::Host host, std::string_view settings_json, JwtBuildOptions options);

    plugin::Verdict verify(std::string_view token) override { return core_->verify(token); }
    std::optional<plugin::Verdict> verify_cached(std::string_view token) override {
        return core_->verify_cached(token);
    }
    std::string describe_json() override { return core_->describe().dump(); }
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override {
        return core_->handle_route(request, out);
    }
    BearerCore &core() { return *core_; }

private:
    std::unique_ptr<BearerCore> core_;
};

} // namespace fastmcp::jwt
