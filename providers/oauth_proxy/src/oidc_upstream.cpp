#include "fastmcp/oauth_proxy/oidc_upstream.hpp"

#include "fastmcp/jose/jws.hpp"

namespace fastmcp::oauth_proxy {
namespace {
constexpr uint64_t kMaxDocument = 256 * 1024;
constexpr int64_t kRetryMs = 5'000; // between discovery attempts while it fails
} // namespace

OidcUpstream::OidcUpstream(plugin::Host host, std::string config_url, UpstreamClient client,
                           std::vector<std::string> default_scopes)
    : host_(host), config_url_(std::move(config_url)), client_(std::move(client)),
      default_scopes_(std::move(default_scopes)) {}

UpstreamEndpoints OidcUpstream::endpoints() {
    std::lock_guard lock(mutex_);
    if (endpoints_) return *endpoints_;
    const int64_t now = host_.now_ms();
    if (last_attempt_ms_ && now - last_attempt_ms_ < kRetryMs)
        throw UpstreamError("temporarily_unavailable", last_error_);
    last_attempt_ms_ = now;
    plugin::HttpResponse r = host_.get(config_url_, client_.timeout_ms, kMaxDocument);
    auto fail = [&](const std::string &why) -> UpstreamEndpoints {
        last_error_ = "OIDC discovery at " + config_url_ + " failed: " + why;
        throw UpstreamError("temporarily_unavailable", last_error_);
    };
    if (r.status != 200) return fail(r.status ? "HTTP " + std::to_string(r.status) : r.error);
    nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object()) return fail("not a JSON object");
    UpstreamEndpoints e;
    auto str = [&](const char *k) {
        auto it = doc.find(k);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    e.issuer = str("issuer");
    e.authorization_endpoint = str("authorization_endpoint");
    e.token_endpoint = str("token_endpoint");
    e.revocation_endpoint = str("revocation_endpoint");
    e.userinfo_endpoint = str("userinfo_endpoint");
    e.jwks_uri = str("jwks_uri");
    if (e.issuer.empty() || e.authorization_endpoint.empty() || e.token_endpoint.empty())
        return fail("issuer, authorization_endpoint or token_endpoint missing");
    endpoints_ = e;
    last_error_.clear();
    return e;
}

std::shared_ptr<const jose::KeySet> OidcUpstream::fetch_keys(const std::string &jwks_uri) {
    plugin::HttpResponse r = host_.get(jwks_uri, client_.timeout_ms, kMaxDocument);
    if (r.status != 200) throw UpstreamError("temporarily_unavailable", "the upstream JWKS is unreachable");
    std::string error;
    auto set = jose::parse_jwks(r.body, jose::KeySetOptions{}, error);
    if (!set) throw UpstreamError("server_error", "the upstream JWKS is unusable: " + error);
    auto keys = std::make_shared<const jose::KeySet>(std::move(*set));
    std::lock_guard lock(mutex_);
    keys_ = keys;
    return keys;
}

UpstreamIdentity OidcUpstream::identify(const UpstreamGrant &grant, int64_t now) {
    const UpstreamEndpoints e = endpoints();
    UpstreamIdentity id;
    if (!grant.id_token.empty() && !e.jwks_uri.empty()) {
        jose::Policy policy;
        policy.allowed_algs = {jose::Alg::RS256, jose::Alg::RS384, jose::Alg::RS512, jose::Alg::PS256,
                               jose::Alg::ES256, jose::Alg::ES384, jose::Alg::EdDSA};
        policy.issuers = {e.issuer};
        policy.audiences = {client_.client_id};
        std::shared_ptr<const jose::KeySet> keys;
        {
            std::lock_guard lock(mutex_);
            keys = keys_;
        }
        if (!keys) keys = fetch_keys(e.jwks_uri);
        jose::Result res = jose::verify(grant.id_token, *keys, policy, now);
        if (res.reason == FASTMCP_REASON_UNKNOWN_KID || res.reason == FASTMCP_REASON_NO_MATCHING_KEY)
            res = jose::verify(grant.id_token, *fetch_keys(e.jwks_uri), policy, now);
        if (!res.ok())
            throw UpstreamError("server_error", std::string("the upstream id_token was rejected: ") +
                                                    fastmcp_reason_name(res.reason));
        id.claims = res.claims;
    } else if (!e.userinfo_endpoint.empty()) {
        plugin::HttpRequest req;
        req.url = e.userinfo_endpoint;
        req.headers = {{"Authorization", "Bearer " + grant.access_token}, {"Accept", "application/json"}};
        req.timeout_ms = client_.timeout_ms;
        req.max_response_bytes = kMaxDocument;
        plugin::HttpResponse r = host_.fetch(req);
        if (r.status != 200) throw UpstreamError("server_error", "the upstream userinfo endpoint refused the token");
        id.claims = nlohmann::json::parse(r.body, nullptr, false);
        if (!id.claims.is_object()) throw UpstreamError("server_error", "the upstream userinfo is not JSON");
    } else {
        throw UpstreamError("server_error", "the upstream returned no id_token and has no userinfo endpoint");
    }
    auto sub = id.claims.find("sub");
    if (sub == id.claims.end() || !sub->is_string() || sub->get<std::string>().empty())
        throw UpstreamError("server_error", "the upstream identity has no subject");
    id.subject = sub->get<std::string>();
    // Only identity claims travel on; the upstream's own token bookkeeping stays behind.
    for (const char *k : {"aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time"}) id.claims.erase(k);
    return id;
}

nlohmann::json OidcUpstream::describe() const {
    std::lock_guard lock(mutex_);
    nlohmann::json d = {{"kind", "oidc"}, {"config_url", config_url_}, {"discovered", endpoints_.has_value()}};
    if (endpoints_) {
        d["issuer"] = endpoints_->issuer;
        d["authorization_endpoint"] = endpoints_->authorization_endpoint;
        d["token_endpoint"] = endpoints_->token_endpoint;
    }
    if (!last_error_.empty()) d["last_error"] = last_error_;
    return d;
}

} // namespace fastmcp::oauth_proxy
