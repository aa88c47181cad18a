// JWS algorithms we know, and how each maps to a key type and digest.
#pragma once

#include <optional>
#include <string_view>

namespace fastmcp::jose {

enum class Alg { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512 };

// "RS256" -> Alg::RS256. "none" and anything unknown -> nullopt.
std::optional<Alg> alg_from_name(std::string_view name);
std::string_view alg_name(Alg alg);

enum class KeyType { RSA, EC, OKP, Oct };
KeyType key_type_for(Alg alg);
bool is_hmac(Alg alg);

} // namespace fastmcp::jose
