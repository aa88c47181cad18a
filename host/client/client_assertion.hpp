// private_key_jwt client authentication (RFC 7523 §2.2, OpenID Connect Core §9): a short-lived JWT
// signed with the client's key. The algorithm comes from the key: ES256 for a P-256 key, RS256 for
// RSA; anything else is refused. Signing is jose's (OpenSSL EVP).
#pragma once

#include <cstdint>
#include <string>

namespace fastmcp::client {

// "ES256" / "RS256" for the key in `pem`; throws std::runtime_error for an unreadable or
// unsupported key (the message never contains key material).
std::string client_key_algorithm(const std::string &pem);

// iss = sub = client_id, aud = audience (the authorization server's issuer), a random jti,
// iat = now, exp = now + 300.
std::string make_client_assertion(const std::string &pem, const std::string &client_id,
                                  const std::string &audience, int64_t now);

} // namespace fastmcp::client
