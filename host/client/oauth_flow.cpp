#include "oauth_flow.hpp"

#include "client_assertion.hpp"
#include "loopback_listener.hpp"
#include "oauth_discovery.hpp"
#include "pkce.hpp"
#include "www_authenticate.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h> // environ

namespace fastmcp::client {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

nlohmann::json json_body(const HttpResponse &res) {
    return nlohmann::json::parse(res.body, nullptr, false);
}

// "error: description" from an RFC 6749 error body, or the status line.
std::string oauth_error_text(const HttpResponse &res) {
    if (res.status == 0) return res.error;
    const auto j = json_body(res);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
        std::string s = j["error"].get<std::string>();
        if (j.contains("error_description") && j["error_description"].is_string())
            s += ": " + j["error_description"].get<std::string>();
        return s + " (HTTP " + std::to_string(res.status) + ")";
    }
    return "HTTP " + std::to_string(res.status);
}

std::string string_field(const nlohmann::json &j, const char *name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool on_path(const char *program) {
    const char *path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream ss(path);
    for (std::string dir; std::getline(ss, dir, ':');)
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    return false;
}

// Starts xdg-open without waiting for the browser; true when it could be started.
bool open_in_browser(const std::string &url) {
    if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) return false;
    if (!on_path("xdg-open")) return false;
    pid_t pid = 0;
    std::string prog = "xdg-open";
    std::string arg = url;
    char *argv[] = {prog.data(), arg.data(), nullptr};
    if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, argv, environ) != 0) return false;
    int status = 0;
    ::waitpid(pid, &status, 0); // xdg-open itself returns once the browser is launched
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string basic_auth(const std::string &id, const std::string &secret) {
    std::string eid, esecret;
    Poco::URI::encode(id, "!#$&'()*+,/:;=?@[]% \"<>", eid);
    Poco::URI::encode(secret, "!#$&'()*+,/:;=?@[]% \"<>", esecret);
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << eid << ':' << esecret;
    enc.close();
    return "Basic " + out.str();
}

std::vector<std::string> split_scopes(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string w; ss >> w;)
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    return out;
}

std::string join_scopes(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &w : v)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

std::vector<std::string> string_array(const nlohmann::json &j, const char *name) {
    std::vector<std::string> out;
    if (auto it = j.find(name); it != j.end() && it->is_array())
        for (const auto &v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

bool contains(const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// How to authenticate at the token endpoint with what we hold, given what the AS supports
// (RFC 8414: an absent list means client_secret_basic).
std::string choose_auth_method(const std::vector<std::string> &supported, bool has_secret,
                               bool has_key) {
    if (has_key) return "private_key_jwt";
    if (!has_secret) return "none";
    if (supported.empty() || contains(supported, "client_secret_basic"))
        return "client_secret_basic";
    if (contains(supported, "client_secret_post")) return "client_secret_post";
    return "client_secret_basic";
}

} // namespace

OAuthSession::OAuthSession(std::string server_url, TokenCache cache, OAuthOptions options)
    : server_url_(std::move(server_url)), cache_(std::move(cache)), options_(std::move(options)) {
    tokens_ = cache_.load(server_url_);
    if (tokens_) requested_scope_ = tokens_->scope;
}

int64_t OAuthSession::now() const {
    if (options_.clock) return options_.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void OAuthSession::say(const std::string &msg) const {
    if (options_.progress)
        options_.progress(msg);
    else
        std::fprintf(stderr, "fastmcp client: %s\n", msg.c_str());
}

std::optional<std::string> OAuthSession::current_token() {
    if (!tokens_ || tokens_->access_token.empty()) return std::nullopt;
    if (tokens_->expired(now())) {
        if (!refresh(*tokens_)) return std::nullopt;
    }
    return tokens_->access_token;
}

HttpResponse OAuthSession::token_request(const CachedTokens &t, Form form) {
    HttpRequest req;
    req.method = "POST";
    req.url = t.token_endpoint;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Accept", "application/json"}};
    if (t.auth_method == "private_key_jwt") {
        if (options_.client_key_pem.empty())
            throw OAuthError(
                "this client authenticates with private_key_jwt: give --client-key FILE");
        std::string assertion;
        try {
            assertion =
                make_client_assertion(options_.client_key_pem, t.client_id, t.issuer, now());
        } catch (const std::exception &e) {
            throw OAuthError(std::string("cannot sign the client assertion: ") + e.what());
        }
        form.emplace_back("client_id", t.client_id);
        form.emplace_back("client_assertion_type",
                          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form.emplace_back("client_assertion", assertion);
    } else if (t.auth_method == "client_secret_basic" && !t.client_secret.empty()) {
        req.headers.emplace_back("Authorization", basic_auth(t.client_id, t.client_secret));
    } else {
        form.emplace_back("client_id", t.client_id);
        if (t.auth_method == "client_secret_post" && !t.client_secret.empty())
            form.emplace_back("client_secret", t.client_secret);
    }
    req.body = form_encode(form);
    return options_.http(req);
}

void OAuthSession::store_token_response(CachedTokens &t, const HttpResponse &res) {
    const auto j = json_body(res);
    if (!j.is_object()) throw OAuthError("token endpoint answered with something that is not JSON");
    const std::string access = string_field(j, "access_token");
    const std::string type = string_field(j, "token_type");
    if (access.empty()) throw OAuthError("token endpoint answered without an access_token");
    std::string lower_type = type;
    for (auto &c : lower_type)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower_type != "bearer")
        throw OAuthError("token endpoint issued a token of type '" + type + "', not Bearer");
    t.access_token = access;
    if (auto r = string_field(j, "refresh_token"); !r.empty()) t.refresh_token = r;
    if (auto s = string_field(j, "scope"); !s.empty()) t.scope = s;
    t.expires_at = 0;
    if (auto e = j.find("expires_in");
        e != j.end() && e->is_number_integer() && e->get<int64_t>() > 0)
        t.expires_at = now() + e->get<int64_t>();
    t.server_url = server_url_;
    try {
        cache_.save(t);
    } catch (const std::exception &e) {
        say(std::string("warning: token not cached: ") + e.what());
    }
}

bool OAuthSession::refresh(CachedTokens &t) {
    if (t.refresh_token.empty() || t.token_endpoint.empty() || t.client_id.empty()) return false;
    say("access token expired; refreshing");
    Form form = {{"grant_type", "refresh_token"}, {"refresh_token", t.refresh_token}};
    if (!t.resource.empty()) form.emplace_back("resource", t.resource);
    HttpResponse res;
    try {
        res = token_request(t, form);
    } catch (const OAuthError &e) {
        say(std::string("refresh failed: ") + e.what());
        return false;
    }
    if (res.status != 200) {
        say("refresh failed: " + oauth_error_text(res));
        t.access_token.clear();
        t.refresh_token.clear();
        return false;
    }
    try {
        store_token_response(t, res);
    } catch (const OAuthError &e) {
        say(std::string("refresh failed: ") + e.what());
        return false;
    }
    return true;
}

std::string OAuthSession::on_unauthorized(const std::string &www_authenticate) {
    const auto challenge = parse_bearer_challenge(www_authenticate);
    // A rejected token that we can refresh: try that before a new sign-in.
    if (tokens_ && !tokens_->refresh_token.empty() && challenge &&
        challenge->get("error") == "invalid_token") {
        CachedTokens copy = *tokens_;
        if (refresh(copy)) {
            tokens_ = copy;
            return tokens_->access_token;
        }
    }
    return full_flow(www_authenticate, "");
}

std::optional<std::string>
OAuthSession::on_insufficient_scope(const std::string &www_authenticate) {
    const auto challenge = parse_bearer_challenge(www_authenticate);
    const std::vector<std::string> wanted = split_scopes(challenge ? challenge->get("scope") : "");
    std::vector<std::string> have = split_scopes(requested_scope_);
    const size_t before = have.size();
    for (const auto &s : wanted)
        if (!contains(have, s)) have.push_back(s);
    if (wanted.empty() || have.size() == before) {
        say("the server requires scope '" + join_scopes(wanted) +
            "', which this token was already asked for; not retrying");
        return std::nullopt;
    }
    if (step_ups_ >= options_.max_step_ups) {
        say("the server asks for more scope again; giving up after " + std::to_string(step_ups_) +
            " step-ups");
        return std::nullopt;
    }
    ++step_ups_;
    say("the server requires more scope; re-authorizing with '" + join_scopes(have) + "'");
    return full_flow(www_authenticate, join_scopes(have));
}

std::optional<OAuthSession::AsMetadata>
OAuthSession::fetch_authorization_server(const std::string &issuer, bool legacy) {
    const std::vector<std::string> urls =
        legacy ? std::vector<std::string>{origin_of(issuer) +
                                          "/.well-known/oauth-authorization-server"}
               : authorization_server_metadata_urls(issuer);
    for (const auto &url : urls) {
        HttpRequest req;
        req.url = url;
        req.headers = {{"Accept", "application/json"}};
        const HttpResponse res = options_.http(req);
        if (res.status != 200) continue;
        const auto j = json_body(res);
        if (!j.is_object()) continue;
        AsMetadata m;
        m.issuer = string_field(j, "issuer");
        if (!issuer_matches(issuer, m.issuer)) {
            // RFC 8414 §3.3 wants equality; a multi-tenant AS often names its origin for a tenant
            // path. The same origin is accepted with a warning, another origin is refused.
            if (m.issuer.empty() || origin_of(m.issuer) != origin_of(issuer))
                throw OAuthError("authorization server metadata at " + url + " names issuer '" +
                                 m.issuer + "', expected '" + issuer + "'");
            say("warning: authorization server metadata at " + url + " names issuer '" + m.issuer +
                "', not '" + issuer + "' (same origin; accepted)");
        }
        m.authorization_endpoint = string_field(j, "authorization_endpoint");
        m.token_endpoint = string_field(j, "token_endpoint");
        m.registration_endpoint = string_field(j, "registration_endpoint");
        m.auth_methods = string_array(j, "token_endpoint_auth_methods_supported");
        m.cimd_supported = j.value("client_id_metadata_document_supported", false) == true;
        m.pkce_s256 = contains(string_array(j, "code_challenge_methods_supported"), "S256");
        if (m.token_endpoint.empty())
            throw OAuthError("authorization server metadata at " + url + " lacks a token_endpoint");
        return m;
    }
    return std::nullopt;
}

OAuthSession::Target OAuthSession::discover(const std::string &www_authenticate) {
    const auto challenge = parse_bearer_challenge(www_authenticate);
    // 1. Protected-resource metadata: from the challenge, else the RFC 9728 well-known URLs.
    std::vector<std::string> prm_urls;
    if (challenge && !challenge->get("resource_metadata").empty())
        prm_urls.push_back(challenge->get("resource_metadata"));
    for (const auto &u : protected_resource_metadata_urls(server_url_))
        prm_urls.push_back(u);
    nlohmann::json prm;
    std::string prm_url;
    for (const auto &u : prm_urls) {
        HttpRequest req;
        req.url = u;
        req.headers = {{"Accept", "application/json"}};
        const HttpResponse res = options_.http(req);
        if (res.status != 200) continue;
        auto j = json_body(res);
        if (j.is_object()) {
            prm = std::move(j);
            prm_url = u;
            break;
        }
    }
    Target tg;
    if (prm.is_null()) {
        // A 2025-03-26 server: the authorization server is the server's origin.
        const std::string origin = origin_of(server_url_);
        say("no protected-resource metadata (a 2025-03-26 server); authorization server: " +
            origin);
        tg.resource = server_url_;
        if (auto as = fetch_authorization_server(origin, true)) {
            tg.as = *as;
        } else {
            say("no authorization server metadata; using the default endpoints /authorize, /token, "
                "/register");
            tg.as.issuer = origin;
            tg.as.authorization_endpoint = origin + "/authorize";
            tg.as.token_endpoint = origin + "/token";
            tg.as.registration_endpoint = origin + "/register";
            tg.as.pkce_s256 = true; // the 2025-03-26 fallback requires PKCE support
        }
        return tg;
    }
    tg.resource = string_field(prm, "resource");
    if (!resource_matches(server_url_, tg.resource))
        throw OAuthError("refusing to authorize: protected-resource metadata at " + prm_url +
                         " is for resource '" + tg.resource + "', not " + server_url_);
    const auto servers = prm.find("authorization_servers");
    if (servers == prm.end() || !servers->is_array() || servers->empty() ||
        !(*servers)[0].is_string())
        throw OAuthError("protected-resource metadata lists no authorization_servers");
    const std::string issuer = (*servers)[0].get<std::string>();
    tg.scopes_supported = string_array(prm, "scopes_supported");
    say("server requires OAuth; authorization server: " + issuer);
    auto as = fetch_authorization_server(issuer, false);
    if (!as) throw OAuthError("no authorization server metadata found for " + issuer);
    tg.as = *as;
    return tg;
}

void OAuthSession::register_client(CachedTokens &t, const AsMetadata &as,
                                   const std::string &redirect_uri) {
    const bool has_key = !options_.client_key_pem.empty();
    if (!options_.client_id.empty()) {
        t.client_id = options_.client_id;
        t.client_secret = options_.client_secret;
        t.auth_method = choose_auth_method(as.auth_methods, !t.client_secret.empty(), has_key);
        say("client: pre-registered client ID (" + t.auth_method + ")");
        return;
    }
    if (!options_.client_metadata_url.empty() && as.cimd_supported &&
        !options_.client_credentials) {
        t.client_id = options_.client_metadata_url;
        t.auth_method = has_key ? "private_key_jwt" : "none";
        say("client: Client ID Metadata Document " + t.client_id);
        return;
    }
    if (options_.client_credentials)
        throw OAuthError("the client_credentials grant needs --client-id (with --client-secret or "
                         "--client-key)");
    if (as.registration_endpoint.empty())
        throw OAuthError(
            "the authorization server offers no dynamic client registration" +
            std::string(
                as.cimd_supported
                    ? " (it supports Client ID Metadata Documents: give --client-metadata-url)"
                    : "") +
            "; give a pre-registered --client-id");
    std::string method = "none";
    if (!as.auth_methods.empty() && !contains(as.auth_methods, "none"))
        method = contains(as.auth_methods, "client_secret_basic") ||
                         !contains(as.auth_methods, "client_secret_post")
                     ? "client_secret_basic"
                     : "client_secret_post";
    const nlohmann::json doc = {{"client_name", options_.client_name},
                                {"redirect_uris", {redirect_uri}},
                                {"grant_types", {"authorization_code", "refresh_token"}},
                                {"response_types", {"code"}},
                                {"token_endpoint_auth_method", method}};
    HttpRequest req;
    req.method = "POST";
    req.url = as.registration_endpoint;
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = doc.dump();
    const HttpResponse res = options_.http(req);
    if (res.status != 201 && res.status != 200)
        throw OAuthError("client registration failed: " + oauth_error_text(res));
    const auto j = json_body(res);
    if (!j.is_object() || string_field(j, "client_id").empty())
        throw OAuthError("client registration answered without a client_id");
    t.client_id = string_field(j, "client_id");
    t.client_secret = string_field(j, "client_secret");
    t.auth_method = string_field(j, "token_endpoint_auth_method");
    if (t.auth_method.empty())
        t.auth_method = choose_auth_method(as.auth_methods, !t.client_secret.empty(), false);
    say("client: dynamic client registration (" + t.auth_method + ")");
}

std::string OAuthSession::authorize_in_browser_or_follow(const std::string &authorize_url,
                                                         const std::string &redirect_uri,
                                                         LoopbackListener &listener,
                                                         const std::string &state) {
    // An AS that approves without a sign-in page (the emulator) redirects straight back: follow it.
    HttpRequest probe;
    probe.url = authorize_url;
    probe.headers = {{"Accept", "text/html"}};
    const HttpResponse res = options_.http(probe);
    const std::string location = res.header("Location");
    if (res.status >= 300 && res.status < 400 && location.rfind(redirect_uri, 0) == 0) {
        say("authorization server approved without a sign-in page; completing the redirect");
        HttpRequest follow;
        follow.url = location;
        const HttpResponse done = options_.http(follow);
        if (done.status != 200)
            throw OAuthError("redirect listener did not accept the callback: " +
                             oauth_error_text(done));
    } else if (res.status >= 400) {
        throw OAuthError("authorization request refused: " + oauth_error_text(res));
    } else {
        const bool opened = options_.open_browser && open_in_browser(authorize_url);
        say(std::string(opened ? "opened your browser to sign in; if it did not open, visit:\n  "
                               : "open this URL in a browser to sign in:\n  ") +
            authorize_url);
    }
    const auto cb = listener.wait(options_.browser_timeout);
    if (!cb) throw OAuthError("timed out waiting for the sign-in to complete");
    const auto &q = cb->query;
    auto get = [&](const char *k) {
        auto it = q.find(k);
        return it == q.end() ? std::string() : it->second;
    };
    if (get("state") != state)
        throw OAuthError("the callback's state does not match (possible CSRF); aborted");
    if (!get("error").empty())
        throw OAuthError("authorization failed: " + get("error") +
                         (get("error_description").empty() ? "" : ": " + get("error_description")));
    if (get("code").empty()) throw OAuthError("the callback carried no authorization code");
    return get("code");
}

std::string OAuthSession::full_flow(const std::string &www_authenticate,
                                    const std::string &scope_override) {
    const auto challenge = parse_bearer_challenge(www_authenticate);
    const Target tg = discover(www_authenticate);

    // Scope (MCP scope selection): ours, else the challenge's, else the resource's
    // scopes_supported, else none at all.
    std::string scope = scope_override.empty() ? options_.scope : scope_override;
    if (scope.empty() && challenge) scope = challenge->get("scope");
    if (scope.empty()) scope = join_scopes(tg.scopes_supported);
    requested_scope_ = scope;

    CachedTokens t;
    t.issuer = tg.as.issuer;
    t.token_endpoint = tg.as.token_endpoint;
    t.resource = tg.resource;

    if (options_.client_credentials) {
        register_client(t, tg.as, "");
        Form form = {{"grant_type", "client_credentials"}, {"resource", tg.resource}};
        if (!scope.empty()) form.emplace_back("scope", scope);
        const HttpResponse res = token_request(t, form);
        if (res.status != 200)
            throw OAuthError("client_credentials token request failed: " + oauth_error_text(res));
        store_token_response(t, res);
        tokens_ = t;
        say("token issued for client " + t.client_id);
        return t.access_token;
    }

    if (tg.as.authorization_endpoint.empty())
        throw OAuthError("the authorization server has no authorization_endpoint");
    // MCP requires PKCE; refuse servers that do not advertise S256 (RFC 8414 field).
    if (!tg.as.pkce_s256)
        throw OAuthError("the authorization server does not advertise PKCE S256 "
                         "(code_challenge_methods_supported)");
    LoopbackListener listener;
    register_client(t, tg.as, listener.redirect_uri());

    // Authorization request with PKCE S256, state and resource (RFC 8707).
    const Pkce pkce = make_pkce();
    const std::string state = random_urlsafe(24);
    std::string authorize_url;
    try {
        Poco::URI u(tg.as.authorization_endpoint);
        u.addQueryParameter("response_type", "code");
        u.addQueryParameter("client_id", t.client_id);
        u.addQueryParameter("redirect_uri", listener.redirect_uri());
        u.addQueryParameter("code_challenge", pkce.challenge);
        u.addQueryParameter("code_challenge_method", Pkce::method);
        u.addQueryParameter("state", state);
        u.addQueryParameter("resource", tg.resource);
        if (!scope.empty()) u.addQueryParameter("scope", scope);
        authorize_url = u.toString();
    } catch (const Poco::Exception &e) {
        throw OAuthError("bad authorization_endpoint: " + e.displayText());
    }
    const std::string code =
        authorize_in_browser_or_follow(authorize_url, listener.redirect_uri(), listener, state);

    // Token exchange.
    const HttpResponse res = token_request(t, {{"grant_type", "authorization_code"},
                                               {"code", code},
                                               {"redirect_uri", listener.redirect_uri()},
                                               {"code_verifier", pkce.verifier},
                                               {"resource", tg.resource}});
    if (res.status != 200) throw OAuthError("token exchange failed: " + oauth_error_text(res));
    store_token_response(t, res);
    tokens_ = t;
    say("signed in; token cached in " + cache_.path_for(server_url_));
    return t.access_token;
}

} // namespace fastmcp::client
