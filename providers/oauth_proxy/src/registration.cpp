// /register (RFC 7591 DCR) and client look-up / authentication for /token and /revoke.
#include "fastmcp/oauth_proxy/client_metadata_documents.hpp"
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"
#include "fastmcp/oauth_proxy/pkce.hpp"

#include "http_answers.hpp"
#include "records.hpp"

namespace fastmcp::oauth_proxy {

std::optional<OAuthProxy::Client> OAuthProxy::find_client(const std::string &client_id,
                                                          CimdResult *cimd_refusal) {
    if (client_id.empty() || client_id.size() > max_key_bytes) return std::nullopt;
    // DCR ids are random base64url, never URLs: a URL can only name a metadata document.
    if (ClientMetadataDocuments::names_document(client_id)) {
        CimdResult r = cimd_.resolve(client_id);
        if (!r.client) {
            host_.log(FASTMCP_LOG_WARNING, "oauth proxy: client metadata document " + client_id +
                                               " refused: " + r.reason + " (" + r.detail + ")");
            if (cimd_refusal) *cimd_refusal = std::move(r);
            return std::nullopt;
        }
        Client c;
        c.client_id = r.client->client_id;
        c.client_name = r.client->client_name;
        c.redirect_uris = r.client->redirect_uris;
        c.grant_types = r.client->grant_types;
        c.token_endpoint_auth_method = "none";
        return c;
    }
    auto raw = store_->get(RecordKind::client, client_id);
    if (!raw) return std::nullopt;
    auto j = nlohmann::json::parse(*raw, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    try {
        return Client::from_json(j);
    } catch (const nlohmann::json::exception &) {
        return std::nullopt;
    }
}

void OAuthProxy::serve_register(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    auto bad = [&](const char *error, const std::string &why) {
        oauth_error(out, 400, error, why);
    };
    const auto meta = nlohmann::json::parse(req.body, nullptr, false);
    if (!meta.is_object()) return bad("invalid_client_metadata", "the body must be a JSON object");
    Client c;
    auto uris = meta.find("redirect_uris");
    if (uris == meta.end() || !uris->is_array() || uris->empty() || uris->size() > kMaxRedirectUris)
        return bad("invalid_redirect_uri", "redirect_uris must be a non-empty array");
    for (const auto &u : *uris) {
        if (!u.is_string()) return bad("invalid_redirect_uri", "redirect_uris must hold strings");
        if (!redirect_policy_.allows(u.get<std::string>()))
            return bad("invalid_redirect_uri", "a redirect URI is not allowed by this server");
        c.redirect_uris.push_back(u.get<std::string>());
    }
    if (auto n = meta.find("client_name"); n != meta.end()) {
        if (!n->is_string() || n->get<std::string>().size() > 200)
            return bad("invalid_client_metadata", "client_name must be a short string");
        c.client_name = n->get<std::string>();
    }
    if (auto m = meta.find("token_endpoint_auth_method"); m != meta.end()) {
        const std::string method = m->is_string() ? m->get<std::string>() : "";
        if (method != "none" && method != "client_secret_post" && method != "client_secret_basic")
            return bad("invalid_client_metadata", "token_endpoint_auth_method must be none, "
                                                  "client_secret_post or client_secret_basic");
        c.token_endpoint_auth_method = method;
    }
    if (auto g = meta.find("grant_types"); g != meta.end()) {
        if (!g->is_array()) return bad("invalid_client_metadata", "grant_types must be an array");
        c.grant_types.clear();
        for (const auto &v : *g) {
            const std::string s = v.is_string() ? v.get<std::string>() : "";
            if (s != "authorization_code" && s != "refresh_token")
                return bad("invalid_client_metadata",
                           "only authorization_code and refresh_token grants are supported");
            c.grant_types.push_back(s);
        }
        if (c.grant_types.empty()) c.grant_types = {"authorization_code", "refresh_token"};
    }
    if (auto rt = meta.find("response_types"); rt != meta.end()) {
        if (!rt->is_array())
            return bad("invalid_client_metadata", "response_types must be an array");
        for (const auto &v : *rt)
            if (!v.is_string() || v.get<std::string>() != "code")
                return bad("invalid_client_metadata", "only the code response type is supported");
    }
    std::string secret;
    if (c.token_endpoint_auth_method != "none") {
        secret = random_token(32);
        c.secret_sha256 = sha256_hex(secret);
    }
    c.issued_at = now_s();
    // A fresh random id; put_if_absent makes a (vanishingly unlikely) collision a retry, never an
    // overwrite.
    bool stored = false;
    for (int attempt = 0; attempt < 3 && !stored; ++attempt) {
        c.client_id = random_token(16);
        stored = store_->put_if_absent(RecordKind::client, c.client_id, c.to_json().dump(),
                                       seconds_ttl(options_.client_ttl_s));
    }
    if (!stored) return oauth_error(out, 500, "server_error", "could not allocate a client id");
    nlohmann::json answer = {{"client_id", c.client_id},
                             {"client_id_issued_at", c.issued_at},
                             {"redirect_uris", c.redirect_uris},
                             {"token_endpoint_auth_method", c.token_endpoint_auth_method},
                             {"grant_types", c.grant_types},
                             {"response_types", {"code"}}};
    if (!c.client_name.empty()) answer["client_name"] = c.client_name;
    if (!secret.empty()) {
        answer["client_secret"] = secret;
        answer["client_secret_expires_at"] = 0;
    }
    if (meta.contains("scope") && meta["scope"].is_string()) answer["scope"] = meta["scope"];
    json_answer(out, 201, answer.dump());
}

std::optional<OAuthProxy::Client> OAuthProxy::authenticate_client(const plugin::RouteRequest &req,
                                                                  const Form &form,
                                                                  plugin::RouteResponse &out) {
    std::string id = form.get("client_id"), secret = form.get("client_secret");
    auto basic = basic_credentials(req);
    if (basic) {
        if (!id.empty() && id != basic->first) {
            oauth_error(out, 400, "invalid_request",
                        "client_id differs between the form and the Authorization header");
            return std::nullopt;
        }
        id = basic->first;
        secret = basic->second;
    }
    auto fail = [&] {
        oauth_error(out, 401, "invalid_client", "client authentication failed");
        out.headers.emplace_back("WWW-Authenticate", "Basic realm=\"oauth\"");
        return std::nullopt;
    };
    if (id.empty()) return fail();
    auto client = find_client(id);
    if (!client) return fail();
    if (!client->secret_sha256.empty()) {
        if (secret.empty() || !equal_constant_time(sha256_hex(secret), client->secret_sha256))
            return fail();
    } else if (!secret.empty()) {
        return fail(); // a public client presenting a secret is confused or forged
    }
    return client;
}

} // namespace fastmcp::oauth_proxy
