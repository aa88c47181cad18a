#include "oauth_flow.hpp"

#include "loopback_listener.hpp"
#include "oauth_discovery.hpp"
#include "pkce.hpp"
#include "www_authenticate.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace fastmcp::client {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

nlohmann::json json_body(const HttpResponse &res) { return nlohmann::json::parse(res.body, nullptr, false); }

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

} // namespace

OAuthSession::OAuthSession(std::string server_url, TokenCache cache, OAuthOptions options)
    : server_url_(std::move(server_url)), cache_(std::move(cache)), options_(std::move(options)) {
    tokens_ = cache_.load(server_url_);
}

int64_t OAuthSession::now() const {
    if (options_.clock) return options_.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void OAuthSession::say(const std::string &msg) const {
    if (options_.progress) options_.progress(msg);
    else std::fprintf(stderr, "fastmcp client: %s\n", msg.c_str());
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
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    if (t.auth_method == "client_secret_basic" && !t.client_secret.empty()) {
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
    for (auto &c : lower_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower_type != "bearer") throw OAuthError("token endpoint issued a token of type '" + type + "', not Bearer");
    t.access_token = access;
    if (auto r = string_field(j, "refresh_token"); !r.empty()) t.refresh_token = r;
    if (auto s = string_field(j, "scope"); !s.empty()) t.scope = s;
    t.expires_at = 0;
    if (auto e = j.find("expires_in"); e != j.end() && e->is_number_integer() && e->get<int64_t>() > 0)
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
    const HttpResponse res = token_request(t, form);
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
    if (tokens_ && !tokens_->refresh_token.empty() && challenge && challenge->get("error") == "invalid_token") {
        CachedTokens copy = *tokens_;
        if (refresh(copy)) {
            tokens_ = copy;
            return tokens_->access_token;
        }
    }
    return full_flow(www_authenticate);
}

OAuthSession::AsMetadata OAuthSession::discover_authorization_server(const std::string &issuer) {
    std::string tried;
    for (const auto &url : authorization_server_metadata_urls(issuer)) {
        HttpRequest req;
        req.url = url;
        req.headers = {{"Accept", "application/json"}};
        const HttpResponse res = options_.http(req);
        tried += "\n  " + url + ": " + (res.status ? "HTTP " + std::to_string(res.status) : res.error);
        if (res.status != 200) continue;
        const auto j = json_body(res);
        if (!j.is_object()) continue;
        AsMetadata m;
        m.issuer = string_field(j, "issuer");
        if (!issuer_matches(issuer, m.issuer))
            throw OAuthError("authorization server metadata at " + url + " names issuer '" + m.issuer +
                             "', expected '" + issuer + "'");
        m.authorization_endpoint = string_field(j, "authorization_endpoint");
        m.token_endpoint = string_field(j, "token_endpoint");
        m.registration_endpoint = string_field(j, "registration_endpoint");
        if (m.authorization_endpoint.empty() || m.token_endpoint.empty())
            throw OAuthError("authorization server metadata at " + url + " lacks authorization/token endpoints");
        // MCP requires PKCE; refuse servers that do not advertise S256 (RFC 8414 field).
        if (auto methods = j.find("code_challenge_methods_supported"); methods != j.end()) {
            bool s256 = false;
            if (methods->is_array())
                for (const auto &mth : *methods) s256 = s256 || mth == "S256";
            if (!s256) throw OAuthError("authorization server does not support PKCE S256");
        } else {
            throw OAuthError("authorization server metadata does not list code_challenge_methods_supported (PKCE)");
        }
        return m;
    }
    throw OAuthError("no authorization server metadata found for " + issuer + tried);
}

std::string OAuthSession::authorize_in_browser_or_follow(const std::string &authorize_url,
                                                         const std::string &redirect_uri,
                                                         LoopbackListener &listener, const std::string &state) {
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
        if (done.status != 200) throw OAuthError("redirect listener did not accept the callback: " + oauth_error_text(done));
    } else if (res.status >= 400) {
        throw OAuthError("authorization request refused: " + oauth_error_text(res));
    } else {
        const bool opened = options_.open_browser && open_in_browser(authorize_url);
        say(std::string(opened ? "opened your browser to sign in; if it did not open, visit:\n  "
                               : "open this URL in a browser to sign in:\n  ") + authorize_url);
    }
    const auto cb = listener.wait(options_.browser_timeout);
    if (!cb) throw OAuthError("timed out waiting for the sign-in to complete");
    const auto &q = cb->query;
    auto get = [&](const char *k) {
        auto it = q.find(k);
        return it == q.end() ? std::string() : it->second;
    };
    if (get("state") != state) throw OAuthError("the callback's state does not match (possible CSRF); aborted");
    if (!get("error").empty())
        throw OAuthError("authorization failed: " + get("error") +
                         (get("error_description").empty() ? "" : ": " + get("error_description")));
    if (get("code").empty()) throw OAuthError("the callback carried no authorization code");
    return get("code");
}

std::string OAuthSession::full_flow(const std::string &www_authenticate) {
    const auto challenge = parse_bearer_challenge(www_authenticate);

    // 1. Protected-resource metadata: from the challenge, else the RFC 9728 well-known URLs.
    std::vector<std::string> prm_urls;
    if (challenge && !challenge->get("resource_metadata").empty()) prm_urls.push_back(challenge->get("resource_metadata"));
    for (const auto &u : protected_resource_metadata_urls(server_url_)) prm_urls.push_back(u);
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
    if (prm.is_null()) throw OAuthError("the server asked for authorization but publishes no protected-resource metadata");
    const std::string resource = string_field(prm, "resource");
    if (!resource_matches(server_url_, resource))
        throw OAuthError("protected-resource metadata at " + prm_url + " is for '" + resource + "', not " + server_url_);
    const auto servers = prm.find("authorization_servers");
    if (servers == prm.end() || !servers->is_array() || servers->empty() || !(*servers)[0].is_string())
        throw OAuthError("protected-resource metadata lists no authorization_servers");
    const std::string issuer = (*servers)[0].get<std::string>();
    say("server requires OAuth; authorization server: " + issuer);

    // 2. Authorization-server metadata.
    const AsMetadata as = discover_authorization_server(issuer);

    // 3. Dynamic client registration (RFC 7591) for this run's loopback redirect URI.
    if (as.registration_endpoint.empty())
        throw OAuthError("the authorization server does not offer dynamic client registration");
    LoopbackListener listener;
    CachedTokens t;
    t.issuer = as.issuer;
    t.token_endpoint = as.token_endpoint;
    t.resource = resource;
    {
        const nlohmann::json doc = {{"client_name", options_.client_name},
                                    {"redirect_uris", {listener.redirect_uri()}},
                                    {"grant_types", {"authorization_code", "refresh_token"}},
                                    {"response_types", {"code"}},
                                    {"token_endpoint_auth_method", "none"}};
        HttpRequest req;
        req.method = "POST";
        req.url = as.registration_endpoint;
        req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
        req.body = doc.dump();
        const HttpResponse res = options_.http(req);
        if (res.status != 201 && res.status != 200) throw OAuthError("client registration failed: " + oauth_error_text(res));
        const auto j = json_body(res);
        if (!j.is_object() || string_field(j, "client_id").empty())
            throw OAuthError("client registration answered without a client_id");
        t.client_id = string_field(j, "client_id");
        t.client_secret = string_field(j, "client_secret");
        t.auth_method = string_field(j, "token_endpoint_auth_method");
        if (t.auth_method.empty()) t.auth_method = t.client_secret.empty() ? "none" : "client_secret_basic";
    }

    // 4. Authorization request with PKCE S256, state and resource (RFC 8707).
    const Pkce pkce = make_pkce();
    const std::string state = random_urlsafe(24);
    std::string scope = options_.scope;
    if (scope.empty() && challenge) scope = challenge->get("scope");
    if (scope.empty())
        if (auto s = prm.find("scopes_supported"); s != prm.end() && s->is_array())
            for (const auto &v : *s)
                if (v.is_string()) scope += (scope.empty() ? "" : " ") + v.get<std::string>();
    std::string authorize_url;
    try {
        Poco::URI u(as.authorization_endpoint);
        u.addQueryParameter("response_type", "code");
        u.addQueryParameter("client_id", t.client_id);
        u.addQueryParameter("redirect_uri", listener.redirect_uri());
        u.addQueryParameter("code_challenge", pkce.challenge);
        u.addQueryParameter("code_challenge_method", Pkce::method);
        u.addQueryParameter("state", state);
        u.addQueryParameter("resource", resource);
        if (!scope.empty()) u.addQueryParameter("scope", scope);
        authorize_url = u.toString();
    } catch (const Poco::Exception &e) {
        throw OAuthError("bad authorization_endpoint: " + e.displayText());
    }
    const std::string code = authorize_in_browser_or_follow(authorize_url, listener.redirect_uri(), listener, state);

    // 5. Token exchange.
    const HttpResponse res = token_request(t, {{"grant_type", "authorization_code"},
                                               {"code", code},
                                               {"redirect_uri", listener.redirect_uri()},
                                               {"code_verifier", pkce.verifier},
                                               {"resource", resource}});
    if (res.status != 200) throw OAuthError("token exchange failed: " + oauth_error_text(res));
    store_token_response(t, res);
    tokens_ = t;
    say("signed in; token cached in " + cache_.path_for(server_url_));
    return t.access_token;
}

} // namespace fastmcp::client
