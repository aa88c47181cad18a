#include "jwt_gate.hpp"

#include "fastmcp/jose/jws.hpp"

#include <chrono>
#include <stdexcept>
#include <strings.h>

namespace fastmcp::supabase_standin {
namespace {

constexpr const char *kJwtCode = "PGRST301";

// PostgREST's wording for each failure (never the token itself).
Reply jwt_error(const jose::Result &r) {
    switch (r.reason) {
    case FASTMCP_REASON_EXPIRED:
        return Reply::postgrest_error(401, kJwtCode, "JWT expired");
    case FASTMCP_REASON_NOT_YET_VALID:
    case FASTMCP_REASON_ISSUED_IN_FUTURE:
        return Reply::postgrest_error(401, kJwtCode, "JWT not yet valid");
    case FASTMCP_REASON_BAD_SIGNATURE:
        return Reply::postgrest_error(401, kJwtCode, "JWSError JWSInvalidSignature");
    case FASTMCP_REASON_UNKNOWN_KID:
    case FASTMCP_REASON_NO_MATCHING_KEY:
    case FASTMCP_REASON_ALG_KEY_MISMATCH:
    case FASTMCP_REASON_ALG_NOT_ALLOWED:
    case FASTMCP_REASON_WRONG_ISSUER:
    case FASTMCP_REASON_JWKS_UNAVAILABLE:
        return Reply::postgrest_error(401, kJwtCode, "No suitable key or wrong key type", {}, r.detail);
    default:
        return Reply::postgrest_error(401, kJwtCode, "Invalid JWT", {}, r.detail);
    }
}

} // namespace

JwtGate::JwtGate(plugin::Host host, const ProjectAuth &project, Options options)
    : host_(host), project_(project), options_(std::move(options)) {
    if (options_.third_party_issuer.empty()) return;
    jwks::SourceOptions source;
    source.resolve_uri = [this] { return discover_jwks_uri(); };
    source.background = false;          // fetched on the first request, refetched on unknown kids
    source.refetch_min_interval_ms = 1'000;
    source.retry_initial_ms = 200;
    third_party_ = std::make_unique<jwks::KeySource>(host_, std::move(source));
}

int64_t JwtGate::now_s() const {
    const auto real = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return real + options_.clock_skew_s;
}

std::string JwtGate::third_party_jwks_uri() const { return third_party_ ? third_party_->jwks_uri() : std::string(); }

// OIDC discovery first (what Supabase's third-party auth uses), then RFC 8414 metadata.
std::string JwtGate::discover_jwks_uri() const {
    std::string last_error;
    for (const char *suffix : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
        const std::string url = options_.third_party_issuer + suffix;
        const auto r = host_.get(url, 5'000, 256 * 1024);
        if (r.status != 200) {
            last_error = url + ": " + (r.status ? "HTTP " + std::to_string(r.status) : r.error);
            continue;
        }
        const auto doc = nlohmann::json::parse(r.body, nullptr, false);
        if (!doc.is_object() || !doc.contains("jwks_uri") || !doc["jwks_uri"].is_string()) {
            last_error = url + ": no jwks_uri";
            continue;
        }
        if (doc.value("issuer", std::string()) != options_.third_party_issuer) {
            last_error = url + ": issuer differs from " + options_.third_party_issuer;
            continue;
        }
        return doc["jwks_uri"].get<std::string>();
    }
    throw std::runtime_error("discovery failed: " + last_error);
}

GateResult JwtGate::check(std::string_view authorization) {
    GateResult out;
    if (authorization.empty()) {
        out.caller = Caller{"anon", {}};
        return out;
    }
    if (authorization.size() < 7 || strncasecmp(authorization.data(), "Bearer ", 7) != 0) {
        out.error = Reply::postgrest_error(401, kJwtCode, "Invalid JWT", {}, "the Authorization header is not Bearer");
        return out;
    }
    const std::string_view token = authorization.substr(7);

    // Which issuer's keys apply is read from the (not yet trusted) payload; verification then
    // requires exactly that issuer, so a token cannot pick another issuer's keys.
    jose::ParsedJws parsed;
    std::string detail;
    if (jose::parse_compact(token, 16 * 1024, parsed, detail) != FASTMCP_REASON_OK) {
        out.error = Reply::postgrest_error(401, kJwtCode, "Invalid JWT", {}, detail);
        return out;
    }
    const std::string iss = parsed.payload.is_object() && parsed.payload.contains("iss") &&
                                    parsed.payload["iss"].is_string()
                                ? parsed.payload["iss"].get<std::string>()
                                : std::string();
    if (iss == project_.issuer()) return verify_with(token, project_.keys(), iss, nullptr);
    if (third_party_ && iss == options_.third_party_issuer) {
        auto keys = third_party_->current();
        if (!keys) keys = third_party_->await_initial();
        if (!keys) {
            jose::Result r;
            r.reason = FASTMCP_REASON_JWKS_UNAVAILABLE;
            r.detail = "the third-party issuer's keys are unavailable";
            out.error = jwt_error(r);
            return out;
        }
        return verify_with(token, *keys, iss, third_party_.get());
    }
    jose::Result r;
    r.reason = FASTMCP_REASON_WRONG_ISSUER;
    r.detail = "the issuer is not a configured third-party auth provider";
    out.error = jwt_error(r);
    return out;
}

GateResult JwtGate::verify_with(std::string_view token, const jose::KeySet &keys, const std::string &issuer,
                                jwks::KeySource *source) {
    GateResult out;
    jose::Policy policy;
    policy.allowed_algs = {jose::Alg::RS256, jose::Alg::ES256};
    policy.issuers = {issuer};
    policy.check_audience = false; // the Data API does not check `aud` of third-party tokens
    policy.leeway_seconds = options_.leeway_s;
    jose::Result r = jose::verify(token, keys, policy, now_s());
    if (r.reason == FASTMCP_REASON_UNKNOWN_KID && source) {
        jose::ParsedJws parsed;
        std::string detail;
        if (jose::parse_compact(token, policy.max_token_bytes, parsed, detail) == FASTMCP_REASON_OK) {
            jwks::KeySetPtr seen = source->current();
            if (auto newer = source->refresh_for_unknown_kid(parsed.kid, seen)) r = jose::verify(token, *newer, policy, now_s());
        }
    }
    if (!r.ok()) {
        out.error = jwt_error(r);
        return out;
    }
    const auto &claims = r.claims;
    if (!claims.contains("role") || !claims["role"].is_string()) {
        out.error = Reply::postgrest_error(401, kJwtCode, "JWT has no role claim", "Add role: 'authenticated' to the "
                                                                                    "token (a WorkOS JWT template)");
        return out;
    }
    const std::string role = claims["role"].get<std::string>().substr(0, 64);
    if (role != "authenticated") { // what Postgres says to SET ROLE of an unknown role
        out.error = Reply::postgrest_error(401, "22023", "role \"" + role + "\" does not exist");
        return out;
    }
    out.caller = Caller{role, claims.contains("sub") && claims["sub"].is_string() ? claims["sub"].get<std::string>() : ""};
    return out;
}

} // namespace fastmcp::supabase_standin
