// The JSON shapes of the records the proxy keeps in its StateStore (values are opaque to the
// store). Keys of bearer-like values (codes, refresh tokens, CSRF tokens) are their SHA-256, so a
// key listing never yields a usable credential; values of secret kinds are encrypted at rest by
// the persistent stores.
#pragma once

#include "fastmcp/oauth_proxy/oauth_proxy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace fastmcp::oauth_proxy {

struct OAuthProxy::Client {
    std::string client_id;
    std::vector<std::string> redirect_uris;
    std::string client_name;
    std::string token_endpoint_auth_method = "none"; // none | client_secret_post | client_secret_basic
    std::string secret_sha256;                       // with a secret method; the secret is never kept
    std::vector<std::string> grant_types{"authorization_code", "refresh_token"};
    int64_t issued_at = 0;

    nlohmann::json to_json() const {
        return {{"client_id", client_id},       {"redirect_uris", redirect_uris},
                {"client_name", client_name},   {"token_endpoint_auth_method", token_endpoint_auth_method},
                {"secret_sha256", secret_sha256}, {"grant_types", grant_types},
                {"issued_at", issued_at}};
    }
    static Client from_json(const nlohmann::json &j) {
        Client c;
        c.client_id = j.at("client_id").get<std::string>();
        c.redirect_uris = j.at("redirect_uris").get<std::vector<std::string>>();
        c.client_name = j.value("client_name", std::string());
        c.token_endpoint_auth_method = j.value("token_endpoint_auth_method", std::string("none"));
        c.secret_sha256 = j.value("secret_sha256", std::string());
        c.grant_types = j.value("grant_types", std::vector<std::string>{});
        c.issued_at = j.value("issued_at", int64_t{0});
        return c;
    }
};

// One authorization in flight, keyed by the proxy's upstream `state`.
struct OAuthProxy::Transaction {
    std::string client_id;
    std::string redirect_uri;
    std::string code_challenge; // the client's, S256
    std::string state;          // the client's, echoed back
    std::vector<std::string> scopes;
    std::string resource;
    std::string verifier; // the proxy's upstream PKCE verifier
    std::string binding;  // the value of this transaction's browser cookie
    bool approved = false;

    nlohmann::json to_json() const {
        return {{"client_id", client_id}, {"redirect_uri", redirect_uri}, {"code_challenge", code_challenge},
                {"state", state},         {"scopes", scopes},             {"resource", resource},
                {"verifier", verifier},   {"binding", binding},           {"approved", approved}};
    }
    static Transaction from_json(const nlohmann::json &j) {
        Transaction t;
        t.client_id = j.at("client_id").get<std::string>();
        t.redirect_uri = j.at("redirect_uri").get<std::string>();
        t.code_challenge = j.at("code_challenge").get<std::string>();
        t.state = j.value("state", std::string());
        t.scopes = j.value("scopes", std::vector<std::string>{});
        t.resource = j.value("resource", std::string());
        t.verifier = j.at("verifier").get<std::string>();
        t.binding = j.at("binding").get<std::string>();
        t.approved = j.value("approved", false);
        return t;
    }
};

inline std::chrono::milliseconds seconds_ttl(int64_t s) { return std::chrono::milliseconds(std::max<int64_t>(s, 1) * 1000); }

// Name of the cookie that binds a browser to one transaction.
inline std::string transaction_cookie_name(const std::string &binding_hash) { return "fastmcp_txn_" + binding_hash; }
inline constexpr const char *kConsentCookie = "fastmcp_consent";

} // namespace fastmcp::oauth_proxy
