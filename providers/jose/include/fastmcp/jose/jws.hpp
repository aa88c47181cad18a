// JWS compact serialization (RFC 7515 §7.1) parsing, and the full verify(token, keys, policy, now).
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jose/policy.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::jose {

struct ParsedJws {
    std::string_view signing_input; // "header.payload", a view into the token
    nlohmann::json header;          // a JSON object
    nlohmann::json payload;         // a JSON object (we only accept JSON claims sets)
    std::string payload_bytes;      // decoded payload (with json_payload, the text `payload` came from)
    std::string signature;          // decoded bytes
    std::optional<Alg> alg;         // nullopt: `none` or unknown (reason ALG_NOT_ALLOWED)
    std::string kid;
};

struct Result {
    fastmcp_reason reason = FASTMCP_REASON_INTERNAL_ERROR;
    std::string detail;        // short, never contains the token
    nlohmann::json claims;     // set when the signature verified (verify); check_claims copies it
    std::string claims_text;   // verify only: the claims JSON exactly as signed (strict-parsed)
    std::vector<std::string> scopes;       // from `scope` or `scp`
    std::vector<std::string> missing_scopes; // with INSUFFICIENT_SCOPE
    const Jwk *key = nullptr;  // the key that verified
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

// Everything: parse, algorithm policy, key selection by kid, signature, claims. Pure: no I/O,
// no clock (now is given), no globals; safe to call concurrently on one KeySet. UNKNOWN_KID tells
// the caller a refetch may help. Key selection: with a kid, exactly one key with that kid must fit
// the alg (none fits -> ALG_KEY_MISMATCH, several -> NO_MATCHING_KEY); without a kid, exactly one
// key in the set must fit (else NO_MATCHING_KEY). Claims are filled once the signature verified,
// also when a claim check then fails. JWKS_UNAVAILABLE is never produced here (the key source's).
Result verify(std::string_view token, const KeySet &keys, const Policy &policy, int64_t now_seconds);

// Signature only: structure, algorithm policy, key selection and signature, for a payload of any
// bytes; no claims are read (Result.claims stays null). The RFC 7515 / Wycheproof JWS layer.
Result verify_jws(std::string_view token, const KeySet &keys, const Policy &policy);

// Claims only, for a payload whose signature is already verified.
Result check_claims(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds);

// Scopes from `scope` (space-delimited) or `scp` (string or array), deduplicated, in order.
std::vector<std::string> scopes_of(const nlohmann::json &claims);

} // namespace fastmcp::jose
