#include "project_auth.hpp"

#include "fastmcp/jose/signer.hpp"

#include <stdexcept>

namespace fastmcp::supabase_standin {

ProjectAuth::ProjectAuth(std::string issuer)
    : issuer_(std::move(issuer)), kid_("standin-es256-1"), key_(jose::generate_key(jose::Alg::ES256)) {
    if (!key_) throw std::runtime_error("cannot generate the ES256 project key");
    jwk_ = jose::public_jwk(key_.get(), kid_, jose::Alg::ES256);
    std::string why;
    auto key = jose::parse_jwk(jwk_, jose::KeySetOptions{}, why);
    if (!key) throw std::runtime_error("the project key does not parse back: " + why);
    keys_.keys.push_back(std::move(key));
}

nlohmann::json ProjectAuth::jwks() const { return {{"keys", nlohmann::json::array({jwk_})}}; }

std::string ProjectAuth::mint(const std::string &sub, int64_t expires_in, int64_t now_s) const {
    const nlohmann::json claims = {{"iss", issuer_},
                                   {"sub", sub},
                                   {"aud", "authenticated"},
                                   {"role", "authenticated"},
                                   {"aal", "aal1"},
                                   {"session_id", "standin-session"},
                                   {"is_anonymous", false},
                                   {"iat", now_s},
                                   {"exp", now_s + expires_in}};
    return jose::sign_compact({{"kid", kid_}}, claims, jose::Alg::ES256, key_.get());
}

} // namespace fastmcp::supabase_standin
