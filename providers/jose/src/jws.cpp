// JWS compact parsing and verification. Order matters: size, structure, algorithm policy, key,
// signature, and only then the claims. Nothing from the token picks a key source or an algorithm
// on its own: `jku`, `x5u`, `jwk`, `x5c` are never read.
#include "fastmcp/jose/jws.hpp"

#include "result_failure.hpp"

#include "fastmcp/jose/base64url.hpp"
#include "fastmcp/jose/signature.hpp"
#include "strict_json.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace fastmcp::jose {

namespace {

// A JSON object without duplicate names. Never throws.
bool parse_object(const std::string &text, nlohmann::json &out) {
    return detail::parse_strict_object(text, out);
}

using detail::fail;

// The one key that may verify this token, or a reason why there is none.
fastmcp_reason select_key(const ParsedJws &jws, const KeySet &keys, const Jwk *&chosen,
                          std::string &detail) {
    const Alg alg = *jws.alg;
    chosen = nullptr;
    size_t fitting = 0;
    bool kid_seen = false;
    for (const auto &key : keys.keys) {
        if (!jws.kid.empty()) {
            if (key->kid != jws.kid) continue;
            kid_seen = true;
        }
        if (!key->fits(alg)) continue;
        ++fitting;
        chosen = key.get();
    }
    if (fitting == 1) return FASTMCP_REASON_OK;
    chosen = nullptr;
    if (jws.kid.empty()) {
        detail = fitting == 0 ? "no key fits the token's alg"
                              : "token has no kid and several keys fit its alg";
        return FASTMCP_REASON_NO_MATCHING_KEY;
    }
    if (fitting > 1) {
        detail = "several keys share the token's kid";
        return FASTMCP_REASON_NO_MATCHING_KEY;
    }
    if (kid_seen) {
        detail = "the key with this kid does not fit the token's alg";
        return FASTMCP_REASON_ALG_KEY_MISMATCH;
    }
    detail = "no key with the token's kid";
    return FASTMCP_REASON_UNKNOWN_KID;
}

// Everything up to and including the signature. On success `jws` holds the parsed token and
// `result.key` the key that verified it.
Result verify_structure_and_signature(std::string_view token, const KeySet &keys,
                                      const Policy &policy, PayloadMode mode, ParsedJws &jws) {
    std::string detail;
    const fastmcp_reason parsed = parse_compact(token, policy.max_token_bytes, jws, detail, mode);
    if (parsed != FASTMCP_REASON_OK) return fail(parsed, std::move(detail));
    if (!jws.alg) return fail(FASTMCP_REASON_ALG_NOT_ALLOWED, "alg is none or unknown");
    if (std::find(policy.allowed_algs.begin(), policy.allowed_algs.end(), *jws.alg) ==
        policy.allowed_algs.end())
        return fail(FASTMCP_REASON_ALG_NOT_ALLOWED,
                    "alg " + std::string(alg_name(*jws.alg)) + " is not allowed");
    const Jwk *key = nullptr;
    const fastmcp_reason selected = select_key(jws, keys, key, detail);
    if (selected != FASTMCP_REASON_OK) return fail(selected, std::move(detail));
    if (!verify_signature(*jws.alg, *key, jws.signing_input, jws.signature))
        return fail(FASTMCP_REASON_BAD_SIGNATURE, "signature does not verify");
    Result ok;
    ok.reason = FASTMCP_REASON_OK;
    ok.key = key;
    return ok;
}

// Decodes and checks the header into out.header, out.alg and out.kid.
bool decode_header(std::string_view header_b64, ParsedJws &out, std::string &detail,
                   fastmcp_reason &reason) {
    std::string scratch; // the header text
    scratch.reserve((header_b64.size() + 3) / 4 * 3);
    if (!base64url_decode_into(header_b64, scratch)) {
        detail = "header is not strict base64url";
        reason = FASTMCP_REASON_BAD_BASE64;
        return false;
    }
    if (!parse_object(scratch, out.header)) {
        detail = "header is not a JSON object";
        reason = FASTMCP_REASON_BAD_JSON;
        return false;
    }
    const auto alg = out.header.find("alg");
    if (alg == out.header.end() || !alg->is_string()) {
        detail = "header has no string alg";
        reason = FASTMCP_REASON_MALFORMED;
        return false;
    }
    out.alg = alg_from_name(alg->get_ref<const std::string &>());
    out.kid.clear();
    if (const auto kid = out.header.find("kid"); kid != out.header.end()) {
        if (!kid->is_string()) {
            detail = "kid is not a string";
            {
                reason = FASTMCP_REASON_MALFORMED;
                return false;
            }
        }
        out.kid = kid->get_ref<const std::string &>();
    }
    // RFC 7515 §4.1.11: a recipient must reject `crit` names it does not implement. We implement
    // no extension header (not even RFC 7797 `b64`), so any `crit` is fatal.
    if (out.header.contains("crit")) {
        detail = "crit names a header we do not implement";
        reason = FASTMCP_REASON_UNSUPPORTED_CRIT;
        return false;
    }
    return true;
}

// The last good header this thread decoded. An issuer signs every token with the same header
// (alg, kid, typ), so its base64url text repeats: the same bytes decode to the same result, and
// only the headers that passed every check are kept. One small entry per thread, no locks.
struct HeaderMemo {
    static constexpr size_t kMaxHeaderBytes = 512;
    std::string header_b64;
    nlohmann::json header;
    std::optional<Alg> alg;
    std::string kid;
};

// keep_header=false: only alg and kid are wanted, so the header DOM is not copied out.
bool parse_header(std::string_view header_b64, ParsedJws &out, std::string &detail,
                  fastmcp_reason &reason, bool keep_header) {
    thread_local HeaderMemo memo;
    if (!memo.header_b64.empty() && memo.header_b64 == header_b64) {
        if (keep_header)
            out.header = memo.header;
        else
            out.header = nullptr;
        out.alg = memo.alg;
        out.kid = memo.kid;
        return true;
    }
    if (!decode_header(header_b64, out, detail, reason)) return false;
    if (header_b64.size() <= HeaderMemo::kMaxHeaderBytes) {
        memo.header_b64.assign(header_b64);
        memo.header = keep_header ? out.header : std::move(out.header);
        memo.alg = out.alg;
        memo.kid = out.kid;
    }
    if (!keep_header) out.header = nullptr;
    return true;
}

} // namespace

fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail, PayloadMode mode) {
    if (token.size() > max_bytes) {
        detail = "token over " + std::to_string(max_bytes) + " bytes";
        return FASTMCP_REASON_TOKEN_TOO_LARGE;
    }
    if (token.empty()) {
        detail = "empty token";
        return FASTMCP_REASON_MISSING_TOKEN;
    }
    const size_t dot1 = token.find('.');
    const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        detail = "not three dot-separated parts";
        return FASTMCP_REASON_MALFORMED;
    }
    const std::string_view header_b64 = token.substr(0, dot1);
    const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view signature_b64 = token.substr(dot2 + 1);
    if (header_b64.empty()) {
        detail = "empty header";
        return FASTMCP_REASON_MALFORMED;
    }

    fastmcp_reason header_reason = FASTMCP_REASON_OK;
    if (!parse_header(header_b64, out, detail, header_reason, mode != PayloadMode::Registered))
        return header_reason;

    // The payload text is kept: a verified token hands it on as its claims JSON (no
    // re-serialising).
    if (!base64url_decode_into(payload_b64, out.payload_bytes)) {
        detail = "payload is not strict base64url";
        return FASTMCP_REASON_BAD_BASE64;
    }
    out.payload = nullptr;
    out.registered.reset();
    bool payload_ok = true;
    switch (mode) {
    case PayloadMode::Bytes:
        break;
    case PayloadMode::Dom:
        payload_ok = parse_object(out.payload_bytes, out.payload);
        break;
    case PayloadMode::Registered:
        payload_ok = parse_registered_claims(out.payload_bytes, out.registered.emplace());
        if (!payload_ok) out.registered.reset();
        break;
    }
    if (!payload_ok) {
        detail = "payload is not a JSON object (or repeats a name)";
        return FASTMCP_REASON_BAD_JSON;
    }
    if (!base64url_decode_into(signature_b64, out.signature)) {
        detail = "signature is not strict base64url";
        return FASTMCP_REASON_BAD_BASE64;
    }
    out.signing_input = token.substr(0, dot2);
    return FASTMCP_REASON_OK;
}

fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail, bool json_payload) {
    return parse_compact(token, max_bytes, out, detail,
                         json_payload ? PayloadMode::Dom : PayloadMode::Bytes);
}

fastmcp_reason parse_compact(std::string_view token, size_t max_bytes, ParsedJws &out,
                             std::string &detail) {
    return parse_compact(token, max_bytes, out, detail, PayloadMode::Dom);
}

Result verify_jws(std::string_view token, const KeySet &keys, const Policy &policy) {
    ParsedJws jws;
    return verify_structure_and_signature(token, keys, policy, PayloadMode::Bytes, jws);
}

Result verify(std::string_view token, const KeySet &keys, const Policy &policy,
              int64_t now_seconds) {
    ParsedJws jws;
    Result sig = verify_structure_and_signature(token, keys, policy, PayloadMode::Dom, jws);
    if (!sig.ok()) return sig;
    RegisteredClaims registered = registered_claims_of(jws.payload);
    Result r = check_claims(registered, policy, now_seconds);
    r.key = sig.key;
    r.claims = std::move(jws.payload);
    r.registered = std::move(registered);
    r.claims_text = std::move(jws.payload_bytes);
    return r;
}

Result verify_bearer(std::string_view token, const KeySet &keys, const Policy &policy,
                     int64_t now_seconds) {
    ParsedJws jws;
    Result sig = verify_structure_and_signature(token, keys, policy, PayloadMode::Registered, jws);
    if (!sig.ok()) return sig;
    Result r = check_claims(*jws.registered, policy, now_seconds);
    r.key = sig.key;
    r.registered = std::move(jws.registered);
    r.claims_text = std::move(jws.payload_bytes);
    return r;
}

} // namespace fastmcp::jose
