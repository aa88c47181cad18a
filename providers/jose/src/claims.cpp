// The claims policy (RFC 7519 §4.1, RFC 8725 §3.8-3.9): time claims with leeway against an
// injected "now", exact issuer, audience, scopes. INSUFFICIENT_SCOPE comes last: it means "valid
// token, not enough rights" (HTTP 403), so every other check must have passed first.
#include "claims_check.hpp"

#include <algorithm>

namespace fastmcp::jose {

namespace {

Result fail(fastmcp_reason reason, std::string detail) {
    Result r;
    r.reason = reason;
    r.detail = std::move(detail);
    return r;
}

// A NumericDate (RFC 7519 §2): a JSON number, integer or not. Booleans and strings are not.
enum class Numeric { Absent, Bad, Ok };
Numeric numeric_claim(const nlohmann::json &claims, const char *name, double &value) {
    const auto it = claims.find(name);
    if (it == claims.end()) return Numeric::Absent;
    if (!it->is_number()) return Numeric::Bad;
    value = it->get<double>();
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

bool audience_matches(const nlohmann::json &aud, const std::vector<std::string> &accepted) {
    auto accepted_one = [&](const nlohmann::json &v) {
        return v.is_string() &&
               std::find(accepted.begin(), accepted.end(), v.get_ref<const std::string &>()) != accepted.end();
    };
    if (aud.is_string()) return accepted_one(aud);
    return std::any_of(aud.begin(), aud.end(), accepted_one);
}

bool is_string_array(const nlohmann::json &v) {
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const nlohmann::json &e) { return e.is_string(); });
}

} // namespace

std::vector<std::string> scopes_of(const nlohmann::json &claims) {
    std::vector<std::string> out;
    if (!claims.is_object()) return out;
    // `scope` (RFC 8693 §4.2) wins; `scp` (Azure AD, Okta...) is the fallback.
    if (const auto scope = claims.find("scope"); scope != claims.end()) {
        if (scope->is_string()) add_space_delimited(out, scope->get_ref<const std::string &>());
        return out;
    }
    if (const auto scp = claims.find("scp"); scp != claims.end()) {
        if (scp->is_string()) add_space_delimited(out, scp->get_ref<const std::string &>());
        else if (scp->is_array())
            for (const auto &s : *scp)
                if (s.is_string()) add_unique(out, s.get_ref<const std::string &>());
    }
    return out;
}

namespace detail {

Result check_claims_in_place(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds) {
    if (!claims.is_object()) return fail(FASTMCP_REASON_BAD_JSON, "claims are not a JSON object");
    // Compare in double: NumericDate may be fractional, and exp+leeway must not overflow.
    const double now = static_cast<double>(now_seconds);
    const double leeway = static_cast<double>(std::max<int64_t>(policy.leeway_seconds, 0));

    double exp = 0;
    switch (numeric_claim(claims, "exp", exp)) {
    case Numeric::Absent:
        if (policy.require_exp) return fail(FASTMCP_REASON_MISSING_CLAIM, "exp is missing");
        break;
    case Numeric::Bad: return fail(FASTMCP_REASON_BAD_CLAIM, "exp is not a number");
    case Numeric::Ok:
        if (now > exp + leeway) return fail(FASTMCP_REASON_EXPIRED, "token expired");
        break;
    }
    double nbf = 0;
    switch (numeric_claim(claims, "nbf", nbf)) {
    case Numeric::Absent: break;
    case Numeric::Bad: return fail(FASTMCP_REASON_BAD_CLAIM, "nbf is not a number");
    case Numeric::Ok:
        if (now + leeway < nbf) return fail(FASTMCP_REASON_NOT_YET_VALID, "token not yet valid (nbf)");
        break;
    }
    double iat = 0;
    switch (numeric_claim(claims, "iat", iat)) {
    case Numeric::Absent: break;
    case Numeric::Bad: return fail(FASTMCP_REASON_BAD_CLAIM, "iat is not a number");
    case Numeric::Ok:
        if (iat > now + leeway) return fail(FASTMCP_REASON_ISSUED_IN_FUTURE, "token issued in the future (iat)");
        break;
    }

    if (!policy.issuers.empty()) {
        const auto iss = claims.find("iss");
        if (iss == claims.end()) return fail(FASTMCP_REASON_MISSING_CLAIM, "iss is missing");
        if (!iss->is_string()) return fail(FASTMCP_REASON_BAD_CLAIM, "iss is not a string");
        const auto &value = iss->get_ref<const std::string &>();
        if (std::find(policy.issuers.begin(), policy.issuers.end(), value) == policy.issuers.end())
            return fail(FASTMCP_REASON_WRONG_ISSUER, "issuer not accepted");
    }

    if (policy.check_audience && !policy.audiences.empty()) {
        const auto aud = claims.find("aud");
        if (aud == claims.end()) return fail(FASTMCP_REASON_MISSING_CLAIM, "aud is missing");
        if (!aud->is_string() && !is_string_array(*aud))
            return fail(FASTMCP_REASON_BAD_CLAIM, "aud is not a string or an array of strings");
        if (!audience_matches(*aud, policy.audiences))
            return fail(FASTMCP_REASON_WRONG_AUDIENCE, "audience not accepted");
    }

    if (const auto scope = claims.find("scope"); scope != claims.end() && !scope->is_string())
        return fail(FASTMCP_REASON_BAD_CLAIM, "scope is not a string");
    if (!claims.contains("scope")) {
        if (const auto scp = claims.find("scp"); scp != claims.end() && !scp->is_string() && !is_string_array(*scp))
            return fail(FASTMCP_REASON_BAD_CLAIM, "scp is not a string or an array of strings");
    }

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

} // namespace detail

Result check_claims(const nlohmann::json &claims, const Policy &policy, int64_t now_seconds) {
    Result r = detail::check_claims_in_place(claims, policy, now_seconds);
    if (r.ok() || r.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE) r.claims = claims;
    return r;
}

} // namespace fastmcp::jose
