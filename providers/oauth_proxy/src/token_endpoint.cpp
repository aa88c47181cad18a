// /token (authorization_code with the client's PKCE, refresh_token with rotation) and /revoke.
// Redemption and rotation are one StateStore::rotate each: of N concurrent uses of one code or
// one refresh token exactly one wins, on one replica or across replicas; the rest get invalid_grant.
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"
#include "fastmcp/oauth_proxy/pkce.hpp"

#include "http_answers.hpp"
#include "records.hpp"

#include <algorithm>

namespace fastmcp::oauth_proxy {
namespace {

bool content_type_is_form(const plugin::RouteRequest &req) {
    std::string ct(req.header("Content-Type"));
    for (auto &c : ct) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ct.empty() || ct.rfind("application/x-www-form-urlencoded", 0) == 0;
}

} // namespace

OAuthProxy::Issued OAuthProxy::issue_tokens(const std::string &client_id, const std::string &subject,
                                            const std::vector<std::string> &scopes, const std::string &upstream_key,
                                            int64_t upstream_expires_at) {
    const int64_t now = now_s();
    int64_t exp = now + options_.access_token_ttl_s;
    // Never outlive the upstream token the access token stands for.
    if (upstream_expires_at > now && upstream_expires_at < exp) exp = upstream_expires_at;
    ProxyTokenClaims c;
    c.subject = subject;
    c.client_id = client_id;
    c.scopes = scopes;
    c.jti = random_token(24);
    c.issued_at = now;
    c.expires_at = exp;
    const std::string access = tokens_->mint(c);
    const std::string refresh = random_token(32);
    Issued out;
    out.writes.push_back(Write{RecordKind::jti, c.jti,
                               nlohmann::json{{"upstream_key", upstream_key}, {"client_id", client_id}}.dump(),
                               seconds_ttl(exp - now + options_.leeway_s)});
    out.writes.push_back(Write{RecordKind::refresh_token, sha256_hex(refresh),
                               nlohmann::json{{"client_id", client_id},
                                              {"subject", subject},
                                              {"scopes", scopes},
                                              {"upstream_key", upstream_key},
                                              {"jti", c.jti}}
                                   .dump(),
                               seconds_ttl(options_.refresh_token_ttl_s)});
    std::string scope;
    for (const auto &s : scopes) scope += (scope.empty() ? "" : " ") + s;
    nlohmann::json body = {{"access_token", access},
                           {"token_type", "Bearer"},
                           {"expires_in", exp - now},
                           {"refresh_token", refresh}};
    if (!scope.empty()) body["scope"] = scope;
    out.body = body.dump();
    return out;
}

void OAuthProxy::serve_token(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    if (!content_type_is_form(req))
        return oauth_error(out, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    std::string error;
    auto form = Form::parse(req.body, error);
    if (!form) return oauth_error(out, 400, "invalid_request", error);
    const std::string &grant_type = form->get("grant_type");
    if (grant_type != "authorization_code" && grant_type != "refresh_token")
        return oauth_error(out, 400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
    auto client = authenticate_client(req, *form, out);
    if (!client) return;
    if (std::find(client->grant_types.begin(), client->grant_types.end(), grant_type) == client->grant_types.end())
        return oauth_error(out, 400, "unauthorized_client", "the client may not use this grant type");
    if (!resource_ok(form->get("resource"))) return oauth_error(out, 400, "invalid_target", "resource is not this server");
    auto invalid_grant = [&](const char *why) { oauth_error(out, 400, "invalid_grant", why); };

    if (grant_type == "authorization_code") {
        const std::string &code = form->get("code");
        if (code.empty() || code.size() > 256) return invalid_grant("code is missing");
        const std::string key = sha256_hex(code);
        auto raw = store_->get(RecordKind::authorization_code, key);
        if (!raw) return invalid_grant("the code is invalid, expired or already used");
        const auto rec = nlohmann::json::parse(*raw);
        // Every check before the code is consumed: a hostile request changes nothing.
        if (!equal_constant_time(rec.value("client_id", std::string()), client->client_id))
            return invalid_grant("the code was issued to another client");
        if (form->has("redirect_uri") && form->get("redirect_uri") != rec.value("redirect_uri", std::string()))
            return invalid_grant("redirect_uri differs from the authorization request");
        const std::string &verifier = form->get("code_verifier");
        if (!valid_verifier(verifier) ||
            !equal_constant_time(s256_challenge(verifier), rec.value("code_challenge", std::string())))
            return invalid_grant("the PKCE code_verifier does not match");
        Issued issued = issue_tokens(client->client_id, rec.value("subject", std::string()),
                                     rec.value("scopes", std::vector<std::string>{}),
                                     rec.value("upstream_key", std::string()), rec.value("upstream_expires_at", int64_t{0}));
        if (!store_->rotate(RecordKind::authorization_code, key, *raw, issued.writes))
            return invalid_grant("the code is invalid, expired or already used");
        return json_answer(out, 200, std::move(issued.body));
    }

    const std::string &refresh = form->get("refresh_token");
    if (refresh.empty() || refresh.size() > 256) return invalid_grant("refresh_token is missing");
    const std::string key = sha256_hex(refresh);
    auto raw = store_->get(RecordKind::refresh_token, key);
    if (!raw) return invalid_grant("the refresh token is invalid, expired or already used");
    const auto rec = nlohmann::json::parse(*raw);
    if (!equal_constant_time(rec.value("client_id", std::string()), client->client_id))
        return invalid_grant("the refresh token was issued to another client");
    const std::string upstream_key = rec.value("upstream_key", std::string());
    auto up_raw = store_->get(RecordKind::upstream_tokens, upstream_key);
    if (!up_raw) return invalid_grant("the upstream grant was revoked");
    auto up = nlohmann::json::parse(*up_raw);
    std::vector<std::string> scopes = rec.value("scopes", std::vector<std::string>{});
    if (const std::string &narrow = form->get("scope"); !narrow.empty()) {
        std::vector<std::string> asked;
        size_t pos = 0;
        while (pos < narrow.size()) {
            size_t sp = narrow.find(' ', pos);
            if (sp == std::string::npos) sp = narrow.size();
            std::string s = narrow.substr(pos, sp - pos);
            pos = sp + 1;
            if (s.empty()) continue;
            if (std::find(scopes.begin(), scopes.end(), s) == scopes.end())
                return oauth_error(out, 400, "invalid_scope", "a refresh may only narrow the granted scopes");
            asked.push_back(s);
        }
        scopes = asked;
    }
    Issued issued = issue_tokens(client->client_id, rec.value("subject", std::string()), scopes, upstream_key,
                                 up.value("expires_at", int64_t{0}));
    // The rotation decides the race; only the winner may touch the upstream grant.
    if (!store_->rotate(RecordKind::refresh_token, key, *raw, issued.writes))
        return invalid_grant("the refresh token is invalid, expired or already used");
    const int64_t now = now_s();
    const int64_t up_exp = up.value("expires_at", int64_t{0});
    const std::string up_refresh = up.value("refresh_token", std::string());
    if (up_exp && up_exp <= now + options_.leeway_s && !up_refresh.empty()) {
        try {
            UpstreamGrant g = refresh_grant(host_, client_, upstream_->endpoints().token_endpoint, up_refresh, now);
            up["access_token"] = g.access_token;
            if (!g.refresh_token.empty()) up["refresh_token"] = g.refresh_token;
            up["expires_at"] = g.expires_at;
            store_->put(RecordKind::upstream_tokens, upstream_key, up.dump(), seconds_ttl(options_.refresh_token_ttl_s));
            // The new access token may live as long as the refreshed upstream one: issue a fresh
            // pair and drop what the rotation wrote (never shown to anyone).
            Issued longer = issue_tokens(client->client_id, rec.value("subject", std::string()), scopes,
                                         upstream_key, g.expires_at);
            for (const auto &w : longer.writes) store_->put(w.kind, w.key, w.value, w.ttl);
            for (const auto &w : issued.writes) store_->erase(w.kind, w.key);
            issued = std::move(longer);
        } catch (const UpstreamError &e) {
            host_.log(FASTMCP_LOG_WARNING, std::string("oauth proxy: upstream refresh failed: ") + e.what());
            if (e.oauth_error == "invalid_grant") {
                store_->erase(RecordKind::upstream_tokens, upstream_key);
                return invalid_grant("the upstream session ended; sign in again");
            }
            return oauth_error(out, 503, "temporarily_unavailable", "the identity provider could not refresh the session");
        }
    }
    json_answer(out, 200, std::move(issued.body));
}

void OAuthProxy::serve_revoke(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    std::string error;
    auto form = Form::parse(req.body, error);
    if (!form) return oauth_error(out, 400, "invalid_request", error);
    auto client = authenticate_client(req, *form, out);
    if (!client) return;
    const std::string &token = form->get("token");
    if (token.empty()) return oauth_error(out, 400, "invalid_request", "token is missing");
    // A refresh token: end the whole grant (its access tokens stop with the upstream record).
    if (token.size() <= 256) {
        const std::string key = sha256_hex(token);
        if (auto raw = store_->get(RecordKind::refresh_token, key)) {
            const auto rec = nlohmann::json::parse(*raw, nullptr, false);
            if (rec.is_object() && rec.value("client_id", std::string()) == client->client_id) {
                const std::string upstream_key = rec.value("upstream_key", std::string());
                const auto upstream = store_->take(RecordKind::upstream_tokens, upstream_key);
                store_->erase(RecordKind::refresh_token, key);
                revocations_.fetch_add(1, std::memory_order_acq_rel);
                // Only the request that took the upstream record ends the upstream grant.
                if (upstream) revoke_upstream_grant(*upstream);
            }
            return json_answer(out, 200, "{}");
        }
    }
    // An access token of ours: forget its jti (expiry does not matter for revocation).
    jose::Result res = tokens_->verify(token, now_s());
    if (res.reason == FASTMCP_REASON_OK || res.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE ||
        res.reason == FASTMCP_REASON_EXPIRED) {
        if (res.claims.value("client_id", std::string()) == client->client_id) {
            store_->erase(RecordKind::jti, res.claims.value("jti", std::string()));
            revocations_.fetch_add(1, std::memory_order_acq_rel);
        }
    }
    json_answer(out, 200, "{}"); // RFC 7009 §2.2: unknown tokens are not an error
}

void OAuthProxy::revoke_upstream_grant(const std::string &upstream_record) {
    const auto up = nlohmann::json::parse(upstream_record, nullptr, false);
    if (!up.is_object()) return;
    std::string endpoint;
    try {
        endpoint = upstream_->endpoints().revocation_endpoint;
    } catch (const UpstreamError &) {
        return; // discovery down: nothing to call; our side of the grant is gone already
    }
    if (endpoint.empty()) return;
    // Revoking the refresh token ends the whole upstream grant (RFC 7009 §2.1); without one, the
    // access token is all there is.
    const std::string refresh = up.value("refresh_token", std::string());
    const bool by_refresh = !refresh.empty();
    const int status = revoke_upstream_token(host_, client_, endpoint, by_refresh ? refresh : up.value("access_token", std::string()),
                                             by_refresh ? "refresh_token" : "access_token");
    upstream_revocations_.fetch_add(1, std::memory_order_relaxed);
    if (status != 200)
        host_.log(FASTMCP_LOG_WARNING, "oauth proxy: the upstream revocation endpoint answered " +
                                           (status ? "HTTP " + std::to_string(status) : std::string("nothing")) +
                                           "; the grant is revoked here regardless");
}

} // namespace fastmcp::oauth_proxy
