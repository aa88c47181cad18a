// The claims policy (RFC 7519 §4.1, RFC 8725 §3.8-3.9): time claims with leeway against an
// injected "now", exact issuer, audience, scopes. INSUFFICIENT_SCOPE comes last: it means "valid
// token, not enough rights" (HTTP 403), so every other check must have passed first.
// The one implementation: it judges the extracted RegisteredClaims; a DOM is converted first.
#include "fastmcp/jose/jws.hpp"

#include "result_failure.hpp"

#include <algorithm>

namespace fastmcp::jose {

namespace {

using detail::fail;

// A NumericDate (RFC 7519 §2): a JSON number, integer or not. Booleans and strings are not.
enum class Numeric { Absent, Bad, Ok };
Numeric numeric_claim(const ClaimValue &claim, double &value) {
    if (!claim.present()) return Numeric::Absent;
    if (!claim.is_number()) return Numeric::Bad;
    value = claim.number;
    return Numeric::Ok;
}

void add_unique(std::vector<std::string> &out, std::string_view scope) {
    if (scope.empty()) return;
    if (std::find(out.begin(), out.end(), scope) == out.end()) out.emplace_back(scope);
}

void add_space_delimited(std::vector<std::string> &out, std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(' ', start), text.size());
        add_unique(out, text.substr(start, end - start));
        start = end + 1;
    }
}

bool accepted(const std::string &value, const std::vector<std::string> &list) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool audience_matches(const ClaimValue &aud, const std::vector<std::string> &audiences) {
    if (aud.is_string()) return accepted(aud.text, audiences);
    return std::any_of(aud.strings.begin(), aud.strings.end(),
                       [&](const std::string &v) { return accepted(v, audiences); });
}

} // namespace

std::vector<std::string> scopes_of(const RegisteredClaims &claims) {
    std::vector<std::string> out;
    // `scope` (RFC 8693 §4.2) wins; `scp` (Azure AD, Okta...) is the fallback.
    if (claims.scope.present()) {
        if (claims.scope.is_string()) add_space_delimited(out, claims.scope.text);
        return out;
    }
    if (claims.scp.is_string())
        add_space_delimited(out, claims.scp.text);
    else
        for (const auto &s : claims.scp.strings)
            add_unique(out, s); // an array's string elements
    return out;
}

std::vector<std::string> scopes_of(const nlohmann::json &claims) {
    if (!claims.is_object()) return {};
    return scopes_of(registered_claims_of(claims));
}

Result check_claims(const RegisteredClaims &claims, const Policy &policy, int64_t now_seconds) {
    // Compare in double: NumericDate may be fractional, and exp+leeway must not overflow.
    const double now = static_cast<double>(now_seconds);
    const double leeway = static_cast<double>(std::max<int64_t>(policy.leeway_seconds, 0));

    double exp = 0;
    switch (numeric_claim(claims.exp, exp)) {
    case Numeric::Absent:
        if (policy.require_exp) return fail(FASTMCP_REASON_MISSING_CLAIM, "exp is missing");
        break;
    case Numeric::Bad:
        return fail(FASTMCP_REASON_BAD_CLAIM, "exp is not a number");
    case Numeric::Ok:
        if (now > exp + leeway) return fail(FASTMCP_REASON_EXPIRED, "token expired");
        break;
    }
    double nbf = 0;
    switch (numeric_claim(claims.nbf, nbf)) {
    case Numeric::Absent:
        break;
    case Numeric::Bad:
        return fail(FASTMCP_REASON_BAD_CLAIM, "nbf is not a number");
    case Numeric::Ok:
        if (now + leeway < nbf)
            return fail(FASTMCP_REASON_NOT_YET_VALID, "token not yet valid (nbf)");
        break;
    }
    double iat = 0;
    switch (numeric_claim(claims.iat, iat)) {
    case Numeric::Absent:
        break;
    case Numeric::Bad:
        return fail(FASTMCP_REASON_BAD_CLAIM, "iat is not a number");
    case Numeric::Ok:
        if (iat > now + leeway)
            return fail(FASTMCP_REASON_ISSUED_IN_FUTURE, "token issued in the future (iat)");
        break;
    }

    if (!policy.issuers.empty()) {
        if (!claims.iss.present()) return fail(FASTMCP_REASON_MISSING_CLAIM, "iss is missing");
        if (!claims.iss.is_string()) return fail(FASTMCP_REASON_BAD_CLAIM, "iss is not a string");
        if (!accepted(claims.iss.text, policy.issuers))
            return fail(FASTMCP_REASON_WRONG_ISSUER, "issuer not accepted");
    }

    if (policy.check_audience && !policy.audiences.empty()) {
        if (!claims.aud.present()) return fail(FASTMCP_REASON_MISSING_CLAIM, "aud is missing");
        if (!claims.aud.is_string() && !claims.aud.is_string_array())
            return fail(FASTMCP_REASON_BAD_CLAIM, "aud is not a string or an array of strings");
        if (!audience_matches(claims.aud, policy.audiences))
            return fail(FASTMCP_REASON_WRONG_AUDIENCE, "audience not accepted");
    }

    if (claims.scope.present() && !claims.scope.is_string())
        return fail(FASTMCP_REASON_BAD_CLAIM, "scope is not a string");
    if (!claims.scope.present() && claims.scp.present() && !claims.scp.is_string() &&
        !claims.scp.is_string_array())
        return fail(FASTMCP_REASON_BAD_CLAIM, "scp is not a string or an array of strings");

    Result r;
    r.scopes = scopes_of(claims);
    for (const auto &required : policy.required_scopes)
        if (std::find(r.scopes.begin(), r.scopes.end(), required) == r.scopes.end())
            r.missing_scopes.push_back(required);
    if (!r.missing_scopes.empty()) {
        r.reason = FASTMCP_REASON_INSUFFICIENT_SCOPE;
        r.detail = "token lacks a required scope";
        return r;
    }
    r.reason = FASTMCP_REASON_OK;
    return r;
}

Result check_claims(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds) {
    if (!claims.is_object()) return fail(FASTMCP_REASON_BAD_JSON, "claims are not a JSON object");
    Result r = check_claims(registered_claims_of(claims), policy, now_seconds);
    if (r.ok() || r.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE) r.claims = claims;
    return r;
}

} // namespace fastmcp::jose
