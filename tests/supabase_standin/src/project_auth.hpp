// The project's own Supabase Auth, reduced to what verifiers need: one ES256 signing key published
// at /auth/v1/.well-known/jwks.json, and a test hook that signs a session token for any user
// (iss {base}/auth/v1, aud and role "authenticated", as Supabase Auth's access tokens carry).
#pragma once

#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace fastmcp::supabase_standin {

class ProjectAuth {
public:
    explicit ProjectAuth(std::string issuer); // generates the key
    const std::string &issuer() const { return issuer_; }
    const std::string &kid() const { return kid_; }
    nlohmann::json jwks() const;
    // A signed access token for `sub`, valid from now_s for expires_in seconds.
    std::string mint(const std::string &sub, int64_t expires_in, int64_t now_s) const;
    // The published key set, parsed, to verify the project's own tokens.
    const jose::KeySet &keys() const { return keys_; }

private:
    std::string issuer_;
    std::string kid_;
    jose::PkeyPtr key_;
    nlohmann::json jwk_;
    jose::KeySet keys_;
};

} // namespace fastmcp::supabase_standin
