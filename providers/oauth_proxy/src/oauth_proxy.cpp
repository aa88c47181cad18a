// OAuthProxy: construction, routing, the two metadata documents, describe(), and verify().
// The flows live in registration.cpp, authorize_flow.cpp and token_endpoint.cpp.
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"

#include "http_answers.hpp"
#include "records.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace fastmcp::oauth_proxy {
namespace {

constexpr std::string_view kAsMetadata = "/.well-known/oauth-authorization-server";
constexpr std::string_view kOidcMetadata = "/.well-known/openid-configuration";
constexpr std::string_view kPrMetadata = "/.well-known/oauth-protected-resource";

jwt::TokenCacheOptions cache_options(const ProxyOptions &o) {
    jwt::TokenCacheOptions c;
    c.max_entries = o.token_cache_entries;
    c.ttl_ms = o.token_cache_ttl_ms;
    return c;
}

bool same_path(std::string_view path, std::string_view route) {
    return path == route || (path.size() == route.size() + 1 && path.back() == '/' && path.substr(0, route.size()) == route);
}

} // namespace

OAuthProxy::OAuthProxy(plugin::Host host, ProxyOptions options, UpstreamClient client,
                       std::unique_ptr<Upstream> upstream, std::shared_ptr<StateStore> store)
    : host_(host), options_(std::move(options)), client_(std::move(client)), upstream_(std::move(upstream)),
      store_(std::move(store)), redirect_policy_(options_.allowed_client_redirect_uris),
      cache_(cache_options(options_)), cimd_(host, options_.cimd) {
    if (!upstream_ || !store_) throw plugin::ConfigError("the OAuth proxy needs an upstream and a state store");
    std::string base = options_.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    Poco::URI uri;
    try {
        uri = Poco::URI(base);
    } catch (const Poco::Exception &) {
        throw plugin::ConfigError("BASE_URL: not an absolute URL");
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
        throw plugin::ConfigError("BASE_URL: not an absolute http(s) URL");
    prefix_ = uri.getPath();
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    origin_ = base.substr(0, base.size() - prefix_.size());
    issuer_ = base;
    std::string mcp(host_.mcp_path());
    resource_ = base + mcp;
    if (options_.redirect_path.empty() || options_.redirect_path.front() != '/')
        throw plugin::ConfigError("REDIRECT_PATH: must start with '/'");
    callback_url_ = url(options_.redirect_path);
    secure_cookies_ = uri.getScheme() == "https";
    // The signing key: JWT_SIGNING_KEY, else (as FastMCP does) derived from the upstream secret.
    const std::string &secret = options_.jwt_signing_key.empty() ? client_.client_secret : options_.jwt_signing_key;
    if (secret.empty()) throw plugin::ConfigError("JWT_SIGNING_KEY: required when there is no client secret");
    const std::string key = derive_signing_key(secret);
    tokens_ = std::make_unique<ProxyTokens>(key, issuer_, resource_, options_.required_scopes, options_.leeway_s);
    cookie_key_ = derive_signing_key(key + "\ncookie");
}

std::vector<std::string> OAuthProxy::routes() const {
    std::string pr = std::string(kPrMetadata) + std::string(host_.mcp_path());
    while (pr.size() > 1 && pr.back() == '/') pr.pop_back();
    // RFC 8414 §3: the well-known suffix goes before the issuer's path.
    return {std::string(kAsMetadata) + prefix_,
            std::string(kOidcMetadata) + prefix_,
            pr,
            std::string(kPrMetadata),
            route("/register"),
            route("/authorize"),
            route("/consent"),
            route(options_.redirect_path),
            route("/token"),
            route("/revoke")};
}

bool OAuthProxy::handle_route(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    const std::string_view path = req.path;
    const bool get = req.method == "GET" || req.method == "HEAD";
    const bool post = req.method == "POST";
    auto cors = [&] { out.headers.emplace_back("Access-Control-Allow-Origin", "*"); };
    auto method_not_allowed = [&](const char *allow) {
        out.headers.emplace_back("Allow", allow);
        oauth_error(out, 405, "invalid_request", std::string("use ") + allow);
    };
    auto preflight = [&](const char *allow) {
        cors();
        out.status = 204;
        out.content_type.clear();
        out.headers.emplace_back("Access-Control-Allow-Methods", allow);
        out.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version");
        out.headers.emplace_back("Access-Control-Max-Age", "86400");
    };
    try {
        const auto r = routes();
        if (same_path(path, r[0]) || same_path(path, r[1]) || same_path(path, r[2]) || same_path(path, r[3])) {
            if (req.method == "OPTIONS") return preflight("GET, HEAD, OPTIONS"), true;
            if (!get) return method_not_allowed("GET, HEAD, OPTIONS"), true;
            cors();
            if (same_path(path, r[2]) || same_path(path, r[3])) serve_pr_metadata(out);
            else serve_as_metadata(out);
            return true;
        }
        struct PostRoute {
            const std::string &path;
            void (OAuthProxy::*serve)(const plugin::RouteRequest &, plugin::RouteResponse &);
        };
        for (const PostRoute &p : {PostRoute{r[4], &OAuthProxy::serve_register}, PostRoute{r[8], &OAuthProxy::serve_token},
                                   PostRoute{r[9], &OAuthProxy::serve_revoke}}) {
            if (!same_path(path, p.path)) continue;
            if (req.method == "OPTIONS") return preflight("POST, OPTIONS"), true;
            if (!post) return method_not_allowed("POST, OPTIONS"), true;
            cors();
            (this->*p.serve)(req, out);
            return true;
        }
        if (same_path(path, r[5]) || same_path(path, r[7])) {
            if (!get) return method_not_allowed("GET"), true;
            if (same_path(path, r[5])) serve_authorize(req, out);
            else serve_callback(req, out);
            return true;
        }
        if (same_path(path, r[6])) {
            if (!post) return method_not_allowed("POST"), true;
            serve_consent(req, out);
            return true;
        }
        return false;
    } catch (const StoreError &e) {
        out = {};
        host_.log(FASTMCP_LOG_ERROR, std::string("oauth proxy: state store failed: ") + e.what());
        oauth_error(out, 503, "temporarily_unavailable", "the authorization state store is unavailable");
        return true;
    } catch (const UpstreamError &e) {
        out = {};
        host_.log(FASTMCP_LOG_WARNING, std::string("oauth proxy: upstream: ") + e.what());
        oauth_error(out, 502, e.oauth_error, "the upstream identity provider failed");
        return true;
    } catch (const nlohmann::json::exception &) {
        out = {};
        host_.log(FASTMCP_LOG_ERROR, "oauth proxy: a stored record is malformed");
        oauth_error(out, 500, "server_error", "a stored authorization record is malformed");
        return true;
    }
}

void OAuthProxy::serve_as_metadata(plugin::RouteResponse &out) const {
    nlohmann::ordered_json d;
    d["issuer"] = issuer_;
    d["authorization_endpoint"] = url("/authorize");
    d["token_endpoint"] = url("/token");
    d["registration_endpoint"] = url("/register");
    d["revocation_endpoint"] = url("/revoke");
    if (!options_.required_scopes.empty()) d["scopes_supported"] = options_.required_scopes;
    d["response_types_supported"] = {"code"};
    d["grant_types_supported"] = {"authorization_code", "refresh_token"};
    d["token_endpoint_auth_methods_supported"] = {"none", "client_secret_post", "client_secret_basic"};
    d["revocation_endpoint_auth_methods_supported"] = {"none", "client_secret_post", "client_secret_basic"};
    d["code_challenge_methods_supported"] = {"S256"};
    d["authorization_response_iss_parameter_supported"] = true;
    d["client_id_metadata_document_supported"] = true;
    json_answer(out, 200, d.dump());
    out.headers = {{"Access-Control-Allow-Origin", "*"}, {"Cache-Control", "max-age=300"}};
}

void OAuthProxy::serve_pr_metadata(plugin::RouteResponse &out) const {
    nlohmann::ordered_json d;
    d["resource"] = resource_;
    d["authorization_servers"] = {issuer_};
    if (!options_.required_scopes.empty()) d["scopes_supported"] = options_.required_scopes;
    d["bearer_methods_supported"] = {"header"};
    json_answer(out, 200, d.dump());
    out.headers = {{"Access-Control-Allow-Origin", "*"}, {"Cache-Control", "max-age=300"}};
}

bool OAuthProxy::resource_ok(const std::string &resource) const {
    if (resource.empty()) return true;
    std::string r = resource;
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    return r == resource_ || r == issuer_;
}

std::string OAuthProxy::describe_json() {
    nlohmann::json d;
    d["provider"] = options_.provider_name;
    d["resource"] = resource_;
    std::string pr = std::string(kPrMetadata) + std::string(host_.mcp_path());
    while (pr.size() > 1 && pr.back() == '/') pr.pop_back();
    d["resource_metadata_url"] = origin_ + pr;
    d["issuer"] = issuer_;
    d["authorization_servers"] = {issuer_};
    d["required_scopes"] = options_.required_scopes;
    d["routes"] = routes();
    nlohmann::json warnings = nlohmann::json::array();
    if (!options_.require_consent)
        warnings.push_back("REQUIRE_AUTHORIZATION_CONSENT=false: clients are authorized without a consent page");
    if (options_.jwt_signing_key.empty())
        warnings.push_back("JWT_SIGNING_KEY is not set: tokens are signed with a key derived from the client secret");
    d["warnings"] = warnings;
    d["upstream"] = upstream_->describe();
    d["store"] = store_->describe();
    d["consent_required"] = options_.require_consent;
    d["redirect_uri_patterns"] = redirect_policy_.patterns();
    d["callback_url"] = callback_url_;
    d["client_id_metadata_documents"] = {{"supported", true},
                                         {"allow_http_loopback", options_.cimd.allow_http_loopback},
                                         {"fetches", cimd_.fetches()}};
    d["upstream_revocations"] = upstream_revocations_.load(std::memory_order_relaxed);
    d["health"] = {{"ready", true}};
    return d.dump();
}

std::optional<plugin::Verdict> OAuthProxy::verify_cached(std::string_view token) {
    if (!cache_.enabled()) return std::nullopt;
    jwt::TokenDigest digest;
    if (!cache_.digest(token, digest)) return std::nullopt;
    jwt::HitCheck check;
    check.now_ms = host_.now_ms();
    check.leeway_seconds = options_.leeway_s;
    check.policy_generation = revocations_.load(std::memory_order_acquire);
    return cache_.find(digest, check);
}

plugin::Verdict OAuthProxy::verify(std::string_view token) {
    if (auto hit = verify_cached(token)) return std::move(*hit);
    const uint64_t generation = revocations_.load(std::memory_order_acquire);
    const int64_t now = now_s();
    jose::Result res = tokens_->verify(token, now);
    if (!res.ok() && res.reason != FASTMCP_REASON_INSUFFICIENT_SCOPE)
        return plugin::Verdict::reject(res.reason, res.detail.empty() ? fastmcp_reason_name(res.reason) : res.detail);
    const nlohmann::json &claims = res.claims;
    const std::string jti = claims.value("jti", std::string());
    if (jti.empty()) return plugin::Verdict::reject(FASTMCP_REASON_MISSING_CLAIM, "the token has no jti");
    std::optional<std::string> link, grant;
    try {
        link = store_->get(RecordKind::jti, jti);
        if (!link) return plugin::Verdict::reject(FASTMCP_REASON_INACTIVE, "the token was revoked");
        const auto l = nlohmann::json::parse(*link);
        grant = store_->get(RecordKind::upstream_tokens, l.at("upstream_key").get<std::string>());
    } catch (const StoreError &e) {
        host_.log(FASTMCP_LOG_ERROR, std::string("oauth proxy: state store failed: ") + e.what());
        return plugin::Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "the authorization state store is unavailable");
    } catch (const nlohmann::json::exception &) {
        return plugin::Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "a stored token record is malformed");
    }
    if (!grant) return plugin::Verdict::reject(FASTMCP_REASON_INACTIVE, "the upstream grant was revoked");
    const auto g = nlohmann::json::parse(*grant, nullptr, false);
    if (!g.is_object()) return plugin::Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "a stored token record is malformed");
    const std::string upstream_token = g.value("access_token", std::string());
    const auto valid = upstream_->still_valid(upstream_token, now);
    if (!valid) return plugin::Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "the upstream could not confirm the token");
    if (!*valid) return plugin::Verdict::reject(FASTMCP_REASON_INACTIVE, "the upstream no longer accepts the token");

    auto t = std::make_shared<plugin::VerifiedToken>();
    t->token = upstream_token; // what a tool needs to call the IdP as the user
    t->subject = claims.value("sub", std::string());
    t->client_id = claims.value("client_id", std::string());
    t->issuer = issuer_;
    t->scopes = res.scopes;
    t->expires_at = claims.value("exp", int64_t{0});
    nlohmann::json all = claims;
    all["upstream_claims"] = g.value("claims", nlohmann::json::object());
    if (const int64_t ue = g.value("expires_at", int64_t{0})) all["upstream_expires_at"] = ue;
    t->claims_json = all.dump();
    plugin::Verdict v;
    if (res.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE) {
        std::string missing;
        for (const auto &s : res.missing_scopes) missing += (missing.empty() ? "" : " ") + s;
        v = plugin::Verdict::reject(FASTMCP_REASON_INSUFFICIENT_SCOPE, "the token lacks a required scope");
        v.required_scope = missing;
        v.token = t;
    } else {
        v = plugin::Verdict::ok(t);
    }
    jwt::TokenDigest digest;
    if (cache_.enabled() && cache_.digest(token, digest)) {
        jwt::CachedVerdict entry;
        entry.verdict = v;
        entry.policy_generation = generation;
        entry.exp = static_cast<double>(t->expires_at);
        cache_.insert(digest, std::move(entry), host_.now_ms());
    }
    return v;
}

} // namespace fastmcp::oauth_proxy
