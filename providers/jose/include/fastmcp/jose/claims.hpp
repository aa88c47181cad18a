// The claims a verifier reads, extracted with their JSON types, and the one claims policy that
// judges them. Two ways in, one check: a strict single-pass parse of the signed claims text
// (the bearer hot path: no DOM is built) and a conversion from an nlohmann DOM (check_claims on a
// json object, for tests and tools). Both must reach the same verdict for the same claims.
// Which JSON parser the strict parse uses is internal; only <nlohmann/json.hpp> is in the API.
#pragma once

#include "fastmcp/jose/policy.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::jose {

// One top-level member's value, reduced to what the policy needs: its JSON type, a number as a
// double (NumericDate may be fractional), a string's text, an array's string elements.
struct ClaimValue {
    enum class Kind : unsigned char { Absent, Null, Boolean, Number, String, Array, Object };
    Kind kind = Kind::Absent;
    double number = 0;                // Number
    std::string text;                 // String
    std::vector<std::string> strings; // Array: its string elements, in order
    bool only_strings = true; // Array: every element is a string (vacuously true when empty)

    bool present() const { return kind != Kind::Absent; }
    bool is_string() const { return kind == Kind::String; }
    bool is_number() const { return kind == Kind::Number; }
    bool is_string_array() const { return kind == Kind::Array && only_strings; }
};

// The members the policy and a verdict read; any other member is only validated, never kept.
struct RegisteredClaims {
    ClaimValue exp, nbf, iat, iss, sub, aud, scope, scp, client_id, azp;
};

// Strict: true only when `text` is one JSON object, valid UTF-8, without a repeated member name
// at any depth, nested at most 32 deep (exactly what the DOM parse of a token accepts). On true,
// `out` holds the registered members. No nlohmann DOM: simdjson's reusable per-thread tape and
// one walk over it; nlohmann's SAX parser decides whatever simdjson refuses. Never throws.
bool parse_registered_claims(std::string_view text, RegisteredClaims &out);

// The registered members of a JSON object (other values: every member Absent).
RegisteredClaims registered_claims_of(const nlohmann::json &claims);

// Scopes from `scope` (space-delimited) or `scp` (string or array), deduplicated, in order.
std::vector<std::string> scopes_of(const RegisteredClaims &claims);

} // namespace fastmcp::jose
