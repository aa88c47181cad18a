// JWS compact serialization (RFC 7515 §7.1) parsing, and the full verify(token, keys, policy, now).
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/claims.hpp"
#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/policy.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::jose {

// What parse_compact makes of the payload.
enum class PayloadMode {
    Bytes,      // any bytes (RFC 7515 allows it): only payload_bytes
    Dom,        // a strict JSON object: payload (DOM) and payload_bytes (its text)
    Registered, // the same strictness, no DOM: registered and payload_bytes; header stays null too
};

struct ParsedJws {
    std::string_view signing_input; // "header.payload", a view into the token
    nlohmann::json header;          // a JSON object (null with PayloadMode::Registered)
    nlohmann::json payload;         // a JSON object (we only accept JSON claims sets); Dom only
    std::optional<RegisteredClaims> registered; // Registered only
    std::string payload_bytes; // decoded payload (with a JSON mode, the text it was parsed from)
    std::string signature;     // decoded bytes
    std::optional<Alg> alg;    // nullopt: `none` or unknown (reason ALG_NOT_ALLOWED)
    std::string kid;
};

struct Result {
    fastmcp_reason reason = FASTMCP_REASON_INTERNAL_ERROR;
    std::string detail;    // short, never contains the token
    nlohmann::json claims; // set when the signature verified (verify); check_claims copies it
    // verify and verify_bearer, once the signature verified: the claims the policy read.
    std::optional<RegisteredClaims> registered;
    std::string
        claims_text; // verify, verify_bearer: the claims JSON exactly as signed (strict-parsed)
    std::vector<std::string> scopes;         // from `scope` or `scp`
    std::vector<std::string> missing_scopes; // with INSUFFICIENT_SCOPE
    const Jwk *key = nullptr;                // the key that verified
    bool ok() const { return reason == FASTMCP_REASON_OK; }
};

// Structure only: size limit, three parts, strict base64url, JSON-object header and payload with
// no repeated member names, a string `alg` (unknown/none -> alg=nullopt, still OK here), a string
// `kid` if any, and no `crit` at all (we implement no extension header). Empty token ->
// MISSING_TOKEN. `jku`, `x5u`, `jwk`, `x5c` headers are ignored (never used to find a key).
fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail);
// With json_payload=false the payload may be any bytes (RFC 7515 allows it); they land in
// `payload_bytes` and `payload` stays null. For generic JWS conformance, not for bearer tokens.
fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail, bool json_payload);
// The same checks; `mode` says what is kept of the payload (and whether the header DOM is kept).
fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail, PayloadMode mode);

// Everything: parse, algorithm policy, key selection by kid, signature, claims. Pure: no I/O,
// no clock (now is given), no globals; safe to call concurrently on one KeySet. UNKNOWN_KID tells
// the caller a refetch may help. Key selection: with a kid, exactly one key with that kid must fit
// the alg (none fits -> ALG_KEY_MISMATCH, several -> NO_MATCHING_KEY); without a kid, exactly one
// key in the set must fit (else NO_MATCHING_KEY). Claims are filled once the signature verified,
// also when a claim check then fails. JWKS_UNAVAILABLE is never produced here (the key source's).
Result verify(std::string_view token, const KeySet &keys, const Policy &policy,
              int64_t now_seconds);

// verify() for a bearer provider's hot path: the same checks in the same order with the same
// reasons, but no claims DOM is built: Result.claims stays null, Result.registered and claims_text
// are set once the signature verified.
Result verify_bearer(std::string_view token, const KeySet &keys, const Policy &policy,
                     int64_t now_seconds);

// Signature only: structure, algorithm policy, key selection and signature, for a payload of any
// bytes; no claims are read (Result.claims stays null). The RFC 7515 / Wycheproof JWS layer.
Result verify_jws(std::string_view token, const KeySet &keys, const Policy &policy);

// Claims only, for a payload whose signature is already verified: the one claims policy.
Result check_claims(const RegisteredClaims &claims, const Policy &policy, int64_t now_seconds);
// The same on a DOM (registered_claims_of, then the above); a non-object is BAD_JSON. On OK and
// INSUFFICIENT_SCOPE, Result.claims is a copy of `claims`.
Result check_claims(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds);

// Scopes from `scope` (space-delimited) or `scp` (string or array), deduplicated, in order.
std::vector<std::string> scopes_of(const nlohmann::json &claims);

} // namespace fastmcp::jose
