// The browser side of the flow: /authorize -> (consent page -> POST /consent) -> upstream ->
// REDIRECT_PATH -> back to the client with the proxy's own code.
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"
#include "fastmcp/oauth_proxy/pkce.hpp"

#include "consent_page.hpp"
#include "http_answers.hpp"
#include "records.hpp"

#include <algorithm>

namespace fastmcp::oauth_proxy {
namespace {

std::vector<std::string> split_scopes(const std::string &s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t sp = s.find(' ', pos);
        if (sp == std::string::npos) sp = s.size();
        std::string one = s.substr(pos, sp - pos);
        pos = sp + 1;
        if (!one.empty() && std::find(out.begin(), out.end(), one) == out.end()) out.push_back(one);
    }
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

// Redirect back to a client whose redirect URI was validated, with an OAuth error.
void client_error(plugin::RouteResponse &out, const std::string &redirect_uri, const std::string &state,
                  const std::string &issuer, const char *error, const std::string &description) {
    redirect(out, append_query(redirect_uri, {{"error", error}, {"error_description", description},
                                              {"state", state}, {"iss", issuer}}));
}

std::string consent_key(const std::string &browser, const std::string &client_id, const std::string &redirect_uri) {
    return sha256_hex(browser + "\n" + client_id + "\n" + redirect_uri);
}

} // namespace

void OAuthProxy::serve_authorize(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    std::string error;
    auto form = Form::parse(req.query, error);
    if (!form) return html_error(out, 400, "invalid_request", error);
    // Until the client and its redirect URI are known good, errors are shown, never redirected.
    const std::string &client_id = form->get("client_id");
    CimdResult refusal;
    auto client = find_client(client_id, &refusal);
    if (!client && !refusal.reason.empty())
        return html_error(out, 400, "invalid_client",
                          "the client metadata document was refused (" + refusal.reason + "): " + refusal.detail);
    if (!client) return html_error(out, 400, "invalid_client", "unknown client_id; register the client first");
    std::string redirect_uri = form->get("redirect_uri");
    if (redirect_uri.empty() && client->redirect_uris.size() == 1) redirect_uri = client->redirect_uris.front();
    if (std::find(client->redirect_uris.begin(), client->redirect_uris.end(), redirect_uri) ==
            client->redirect_uris.end() ||
        !redirect_policy_.allows(redirect_uri))
        return html_error(out, 400, "invalid_request", "redirect_uri is not registered for this client or not allowed");

    const std::string &state = form->get("state");
    auto fail = [&](const char *e, const std::string &why) { client_error(out, redirect_uri, state, issuer_, e, why); };
    if (form->get("response_type") != "code") return fail("unsupported_response_type", "response_type must be code");
    const std::string &challenge = form->get("code_challenge");
    if (!valid_s256_challenge(challenge) || form->get("code_challenge_method") != "S256")
        return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
    if (!resource_ok(form->get("resource"))) return fail("invalid_target", "resource is not this server");
    if (std::find(client->grant_types.begin(), client->grant_types.end(), "authorization_code") == client->grant_types.end())
        return fail("unauthorized_client", "the client may not use the authorization code grant");

    Transaction txn;
    txn.client_id = client->client_id;
    txn.redirect_uri = redirect_uri;
    txn.code_challenge = challenge;
    txn.state = state;
    txn.scopes = split_scopes(form->get("scope"));
    if (txn.scopes.empty()) txn.scopes = options_.required_scopes;
    txn.resource = resource_;
    txn.verifier = random_token(48);
    txn.binding = random_token(24);

    // Consent already given in this browser to this client and redirect URI?
    const std::string browser = cookie(req, kConsentCookie);
    bool consented = !options_.require_consent;
    if (!consented && !browser.empty())
        consented = store_->get(RecordKind::consent, consent_key(browser, client->client_id, redirect_uri)).has_value();
    txn.approved = consented;
    const std::string txn_id = random_token(32);
    store_->put(RecordKind::transaction, txn_id, txn.to_json().dump(), seconds_ttl(options_.transaction_ttl_s));
    if (consented) return redirect_upstream(txn_id, txn, out);
    render_consent(txn_id, txn, *client, out);
}

void OAuthProxy::render_consent(const std::string &txn_id, const Transaction &txn, const Client &client,
                                plugin::RouteResponse &out) {
    const std::string csrf = random_token(32);
    store_->put(RecordKind::csrf, sha256_hex(csrf), txn_id, seconds_ttl(options_.transaction_ttl_s));
    ConsentView view;
    view.client_name = client.client_name.empty() ? client.client_id : client.client_name;
    view.client_id = client.client_id;
    view.redirect_uri = txn.redirect_uri;
    view.scopes = txn.scopes;
    view.upstream = upstream_->kind();
    view.action = route("/consent");
    view.transaction = txn_id;
    view.csrf = csrf;
    out.status = 200;
    out.content_type = "text/html; charset=utf-8";
    out.body = render_consent_page(view);
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("X-Frame-Options", "DENY");
    out.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    out.headers.emplace_back("Set-Cookie", set_cookie(transaction_cookie_name(sha256_hex(txn_id).substr(0, 16)),
                                                      txn.binding, options_.transaction_ttl_s, secure_cookies_));
}

void OAuthProxy::serve_consent(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    std::string error;
    auto form = Form::parse(req.body, error);
    if (!form) return html_error(out, 400, "invalid_request", error);
    const std::string &txn_id = form->get("transaction");
    const std::string &csrf = form->get("csrf");
    if (txn_id.empty() || csrf.empty() || txn_id.size() > 128 || csrf.size() > 128)
        return html_error(out, 403, "invalid_request", "the consent form lacks its CSRF token");
    auto raw = store_->get(RecordKind::transaction, txn_id);
    if (!raw) return html_error(out, 400, "invalid_request", "unknown or expired authorization request");
    Transaction txn = Transaction::from_json(nlohmann::json::parse(*raw));
    // The browser that saw the page must be the one that posts it (cookie bound to the transaction)...
    const std::string bound = cookie(req, transaction_cookie_name(sha256_hex(txn_id).substr(0, 16)));
    if (bound.empty() || !equal_constant_time(bound, txn.binding))
        return html_error(out, 403, "invalid_request", "the consent form does not belong to this browser");
    // ...with the CSRF token issued for this transaction, used once (atomic conditional take).
    const std::string csrf_key = sha256_hex(csrf);
    auto csrf_txn = store_->get(RecordKind::csrf, csrf_key);
    if (!csrf_txn || !equal_constant_time(*csrf_txn, txn_id))
        return html_error(out, 403, "invalid_request", "the consent form's CSRF token is invalid");
    if (!store_->rotate(RecordKind::csrf, csrf_key, *csrf_txn, {}))
        return html_error(out, 403, "invalid_request", "the consent form was already submitted");
    const std::string clear_cookie =
        set_cookie(transaction_cookie_name(sha256_hex(txn_id).substr(0, 16)), "", 0, secure_cookies_);
    if (form->get("action") != "approve") {
        store_->erase(RecordKind::transaction, txn_id);
        client_error(out, txn.redirect_uri, txn.state, issuer_, "access_denied", "the user denied the request");
        out.headers.emplace_back("Set-Cookie", clear_cookie);
        return;
    }
    txn.approved = true;
    if (!store_->rotate(RecordKind::transaction, txn_id, *raw,
                        {Write{RecordKind::transaction, txn_id, txn.to_json().dump(), seconds_ttl(options_.transaction_ttl_s)}}))
        return html_error(out, 400, "invalid_request", "the authorization request changed; start again");
    std::string browser = cookie(req, kConsentCookie);
    if (browser.size() < 32 || browser.size() > 64) browser = random_token(32);
    store_->put(RecordKind::consent, consent_key(browser, txn.client_id, txn.redirect_uri), "1",
                seconds_ttl(options_.consent_ttl_s));
    redirect_upstream(txn_id, txn, out);
    out.headers.emplace_back("Set-Cookie", clear_cookie);
    out.headers.emplace_back("Set-Cookie", set_cookie(kConsentCookie, browser, options_.consent_ttl_s, secure_cookies_));
}

void OAuthProxy::redirect_upstream(const std::string &txn_id, const Transaction &txn, plugin::RouteResponse &out) {
    const UpstreamEndpoints e = upstream_->endpoints();
    std::vector<std::string> scopes = txn.scopes.empty() ? upstream_->default_scopes() : txn.scopes;
    for (const auto &s : upstream_->default_scopes())
        if (std::string(upstream_->kind()) == "oidc" && std::find(scopes.begin(), scopes.end(), s) == scopes.end())
            scopes.insert(scopes.begin(), s);
    redirect(out, append_query(e.authorization_endpoint, {{"response_type", "code"},
                                                          {"client_id", client_.client_id},
                                                          {"redirect_uri", callback_url_},
                                                          {"state", txn_id},
                                                          {"scope", join(scopes)},
                                                          {"code_challenge", s256_challenge(txn.verifier)},
                                                          {"code_challenge_method", "S256"}}));
}

void OAuthProxy::serve_callback(const plugin::RouteRequest &req, plugin::RouteResponse &out) {
    std::string error;
    auto form = Form::parse(req.query, error);
    if (!form) return html_error(out, 400, "invalid_request", error);
    const std::string &state = form->get("state");
    if (state.empty() || state.size() > max_key_bytes)
        return html_error(out, 400, "invalid_request", "the upstream answer has no state");
    // Single use: a replayed or forged state finds nothing.
    auto raw = store_->take(RecordKind::transaction, state);
    if (!raw) return html_error(out, 400, "invalid_request", "unknown, expired or already used state");
    const Transaction txn = Transaction::from_json(nlohmann::json::parse(*raw));
    if (!txn.approved) return html_error(out, 403, "access_denied", "the user did not consent to this client");
    if (form->has("error"))
        return client_error(out, txn.redirect_uri, txn.state, issuer_, "access_denied",
                            "the identity provider refused the sign-in");
    const std::string &code = form->get("code");
    if (code.empty()) return client_error(out, txn.redirect_uri, txn.state, issuer_, "server_error", "the identity provider sent no code");

    UpstreamGrant grant;
    UpstreamIdentity who;
    try {
        const UpstreamEndpoints e = upstream_->endpoints();
        grant = exchange_code(host_, client_, e.token_endpoint, code, txn.verifier, callback_url_, now_s());
        who = upstream_->identify(grant, now_s());
    } catch (const UpstreamError &ex) {
        host_.log(FASTMCP_LOG_WARNING, std::string("oauth proxy: upstream sign-in failed: ") + ex.what());
        return client_error(out, txn.redirect_uri, txn.state, issuer_,
                            ex.oauth_error == "temporarily_unavailable" ? "temporarily_unavailable" : "server_error",
                            "the identity provider sign-in failed");
    }
    const std::string upstream_key = random_token(32);
    nlohmann::json up = {{"access_token", grant.access_token}, {"refresh_token", grant.refresh_token},
                         {"id_token", grant.id_token},         {"scope", grant.scope},
                         {"expires_at", grant.expires_at},     {"subject", who.subject},
                         {"claims", who.claims}};
    store_->put(RecordKind::upstream_tokens, upstream_key, up.dump(), seconds_ttl(options_.refresh_token_ttl_s));
    const std::string proxy_code = random_token(32);
    nlohmann::json c = {{"client_id", txn.client_id}, {"redirect_uri", txn.redirect_uri},
                        {"code_challenge", txn.code_challenge}, {"scopes", txn.scopes},
                        {"resource", txn.resource}, {"upstream_key", upstream_key},
                        {"subject", who.subject}, {"upstream_expires_at", grant.expires_at}};
    store_->put(RecordKind::authorization_code, sha256_hex(proxy_code), c.dump(), seconds_ttl(options_.code_ttl_s));
    redirect(out, append_query(txn.redirect_uri, {{"code", proxy_code}, {"state", txn.state}, {"iss", issuer_}}));
}

} // namespace fastmcp::oauth_proxy
