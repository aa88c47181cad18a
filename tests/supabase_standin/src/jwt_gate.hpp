// What Supabase does with the bearer token of a Data API request, before RLS sees it:
//   - a token whose `iss` is the project's own Auth ({base}/auth/v1) is checked against that key;
//   - a token of the configured third-party issuer (AuthKit) is checked against the issuer's JWKS,
//     found through OIDC discovery ({issuer}/.well-known/openid-configuration, falling back to
//     oauth-authorization-server) and cached by the project's JWKS key source;
//   - signature, `exp`/`nbf`/`iat` (with its own clock, which tests can skew) and `iss` are checked
//     by the project's JOSE core; the `role` claim must be "authenticated".
// No Authorization header means the anon role. Failures come back as PostgREST error replies.
#pragma once

#include "postgrest_reply.hpp"
#include "project_auth.hpp"

#include "fastmcp/jwks/key_source.hpp"
#include "fastmcp/provider.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fastmcp::supabase_standin {

struct Caller {
    std::string role; // "anon" or "authenticated"
    std::string sub;  // empty for anon
};

struct GateResult {
    std::optional<Caller> caller; // set when the request may proceed
    Reply error;                  // otherwise
};

class JwtGate {
public:
    struct Options {
        std::string third_party_issuer; // empty: only the project's own tokens are accepted
        int64_t clock_skew_s = 0;       // this clock runs that far ahead of the real one
        int64_t leeway_s = 30;          // PostgREST allows 30 s of clock skew on exp/nbf/iat
    };

    JwtGate(plugin::Host host, const ProjectAuth &project, Options options);
    GateResult check(std::string_view authorization_header);
    int64_t now_s() const;
    std::string third_party_jwks_uri() const;

private:
    std::string discover_jwks_uri() const;
    GateResult verify_with(std::string_view token, const jose::KeySet &keys, const std::string &issuer,
                           jwks::KeySource *source);

    plugin::Host host_;
    const ProjectAuth &project_;
    Options options_;
    std::unique_ptr<jwks::KeySource> third_party_;
};

} // namespace fastmcp::supabase_standin
