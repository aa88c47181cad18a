#include "doctor_token.hpp"

#include "provider_ready.hpp"
#include "token_display.hpp"

#include <ctime>

namespace fastmcp::cli::doctor {

std::string fix_for_reason(fastmcp_reason r) {
    switch (r) {
    case FASTMCP_REASON_MALFORMED:
    case FASTMCP_REASON_BAD_BASE64:
    case FASTMCP_REASON_BAD_JSON:
        return "pass the access token itself (three base64url parts separated by dots), not an ID token, a code or "
               "a quoted string";
    case FASTMCP_REASON_TOKEN_TOO_LARGE: return "the token is over the size limit: request fewer claims";
    case FASTMCP_REASON_ALG_NOT_ALLOWED:
    case FASTMCP_REASON_ALG_KEY_MISMATCH:
        return "the token's alg is not one the provider accepts: set the provider's ALGORITHM to what the issuer "
               "signs with";
    case FASTMCP_REASON_UNKNOWN_KID:
    case FASTMCP_REASON_NO_MATCHING_KEY:
        return "the token was signed by a key that is not in the configured JWKS: it comes from another issuer or "
               "environment (check the jwks and discovery steps)";
    case FASTMCP_REASON_BAD_SIGNATURE:
        return "the signature does not verify with the published key: the token was altered, or signed by another "
               "issuer that reuses the kid; get a fresh token from the configured issuer";
    case FASTMCP_REASON_EXPIRED: return "get a fresh token (sign in again or use the refresh token)";
    case FASTMCP_REASON_NOT_YET_VALID:
    case FASTMCP_REASON_ISSUED_IN_FUTURE:
        return "the clocks disagree: sync this machine's clock (NTP) or raise the provider's LEEWAY";
    case FASTMCP_REASON_MISSING_CLAIM:
    case FASTMCP_REASON_BAD_CLAIM: return "the issuer must put the named claim in its access tokens";
    case FASTMCP_REASON_WRONG_ISSUER:
        return "the token comes from another issuer: check the issuer setting (see the discovery step)";
    case FASTMCP_REASON_WRONG_AUDIENCE:
        return "the token was issued for another resource: the client must ask for this server's resource URL, or "
               "AUDIENCE must list the token's aud (see the audience step)";
    case FASTMCP_REASON_INSUFFICIENT_SCOPE:
        return "request the missing scope(s) when signing in, or lower REQUIRED_SCOPES";
    case FASTMCP_REASON_JWKS_UNAVAILABLE: return "the provider has no keys yet: fix the jwks step first";
    case FASTMCP_REASON_INACTIVE: return "the authorization server says the token is not active: get a fresh one";
    case FASTMCP_REASON_UNKNOWN_TOKEN: return "the token is not in the configured static token list";
    case FASTMCP_REASON_INTROSPECTION_UNAVAILABLE: return "the introspection endpoint did not answer: see the discovery step";
    default: return "see the description";
    }
}

void check_token(const loader::ProviderHandle &provider, const std::string &token, double timeout_s, Report &report) {
    const DecodedToken decoded = decode_for_display(token);
    wait_until_ready(provider, timeout_s);
    const plugin::Verdict v = provider.verify(token);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));

    nlohmann::ordered_json extra;
    extra["reason"] = fastmcp_reason_name(v.reason);
    extra["reason_code"] = static_cast<int>(v.reason);
    extra["description"] = v.description;
    if (!v.required_scope.empty()) extra["required_scope"] = v.required_scope;
    if (decoded.parts == 3) {
        extra["header"] = decoded.header;
        extra["claims"] = decoded.claims;
        extra["times"] = time_notes(decoded.claims, now);
        extra["signature"] = "(elided, " + std::to_string(decoded.signature_chars) + " characters)";
        if (!decoded.problem.empty()) extra["decode_problem"] = decoded.problem;
    } else {
        extra["format"] = "opaque (not a JWT: " + decoded.problem + ")";
    }

    if (v.reason == FASTMCP_REASON_OK && v.token) {
        const auto &t = *v.token;
        std::string scopes;
        for (const auto &s : t.scopes) scopes += (scopes.empty() ? "" : " ") + s;
        std::string detail = "valid: subject " + t.subject + ", client_id " + t.client_id;
        if (!t.issuer.empty()) detail += ", issuer " + t.issuer;
        detail += ", scopes " + (scopes.empty() ? std::string("(none)") : scopes);
        if (t.expires_at) detail += ", expires " + utc_time(t.expires_at) + " (" + relative_time(t.expires_at - now) + ")";
        report.ok("token", detail).extra = std::move(extra);
        return;
    }
    std::string detail = std::string("rejected: ") + fastmcp_reason_name(v.reason) + ": " + v.description;
    if (!v.required_scope.empty()) detail += " (missing: " + v.required_scope + ")";
    report.fail("token", detail, fix_for_reason(v.reason)).extra = std::move(extra);
}

} // namespace fastmcp::cli::doctor
