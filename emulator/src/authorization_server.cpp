#include "authorization_server.hpp"

#include "client_metadata_document.hpp"

#include "random_ids.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

namespace fastmcp::emulator {
namespace {

constexpr size_t kMaxClients = 10000;
constexpr size_t kMaxRegistrationBytes = 64 * 1024;
constexpr size_t kMaxPending = 100000;

struct Param {
    std::optional<std::string> value;
    bool repeated = false;
};

// RFC 6749 §3.1: parameters must not be included more than once.
Param param(const Params &params, std::string_view name) {
    Param p;
    for (const auto &[k, v] : params) {
        if (k != name) continue;
        if (p.value) p.repeated = true;
        p.value = v;
    }
    return p;
}

std::vector<std::string> split_scope(std::string_view s) {
    std::vector<std::string> out;
    std::istringstream in{std::string(s)};
    for (std::string w; in >> w;)
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v)
        out += (out.empty() ? "" : " ") + s;
    return out;
}

// Absolute URI without a fragment (RFC 6749 §3.1.2, RFC 8707 §2).
bool absolute_uri(std::string_view s) {
    try {
        Poco::URI u{std::string(s)};
        return !u.getScheme().empty() && u.getFragment().empty() &&
               s.find('#') == std::string_view::npos;
    } catch (const Poco::Exception &) {
        return false;
    }
}

// A registered redirect URI matches exactly, or, for a loopback one registered without a port,
// the same URI with any port (RFC 8252 §7.3: native clients pick their port at run time).
bool redirect_matches(const std::string &registered, const std::string &presented) {
    if (registered == presented) return true;
    try {
        const Poco::URI r(registered), p(presented);
        const bool loopback = r.getHost() == "127.0.0.1" || r.getHost() == "::1";
        return r.getScheme() == "http" && p.getScheme() == "http" && loopback &&
               r.getHost() == p.getHost() &&
               registered.find(r.getHost() + ":") == std::string::npos &&
               r.getPathEtc() == p.getPathEtc();
    } catch (const Poco::Exception &) {
        return false;
    }
}

// RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~].
bool pkce_string(std::string_view s) {
    if (s.size() < 43 || s.size() > 128) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    });
}

Reply redirect(const std::string &uri, const Params &params) {
    Poco::URI u(uri);
    for (const auto &[k, v] : params)
        u.addQueryParameter(k, v);
    Reply r;
    r.status = 302;
    r.content_type = "text/plain";
    r.headers.emplace_back("Location", u.toString());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view header) {
    constexpr std::string_view prefix = "Basic ";
    if (header.size() <= prefix.size()) return std::nullopt;
    if (!std::equal(prefix.begin(), prefix.end(), header.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return std::nullopt;
    std::string decoded;
    try {
        std::istringstream in{std::string(header.substr(prefix.size()))};
        Poco::Base64Decoder dec(in);
        decoded.assign(std::istreambuf_iterator<char>(dec), {});
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    // RFC 6749 §2.3.1: both halves are form-urlencoded before being joined.
    std::string id, secret;
    try {
        Poco::URI::decode(decoded.substr(0, colon), id, true);
        Poco::URI::decode(decoded.substr(colon + 1), secret, true);
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
    return std::make_pair(id, secret);
}

std::optional<std::string> bearer(std::string_view header) {
    constexpr std::string_view prefix = "Bearer ";
    if (header.size() <= prefix.size()) return std::nullopt;
    if (!std::equal(prefix.begin(), prefix.end(), header.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return std::nullopt;
    return std::string(header.substr(prefix.size()));
}

Reply no_store(Reply r) {
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Pragma", "no-cache");
    return r;
}

} // namespace

Reply Reply::json(int status, const nlohmann::json &body) {
    Reply r;
    r.status = status;
    r.body = body.dump();
    return r;
}

Reply Reply::oauth_error(int status, std::string_view error, std::string_view description) {
    return no_store(json(status, {{"error", error}, {"error_description", description}}));
}

const std::string *Reply::header(std::string_view name) const {
    for (const auto &[k, v] : headers)
        if (k == name) return &v;
    return nullptr;
}

AuthorizationServer::AuthorizationServer(EmulatorOptions options, std::string issuer)
    : options_(std::move(options)), issuer_(std::move(issuer)),
      keys_(options_.previous_key_grace_s, options_.key_factory), down_(options_.start_down) {
    last_rotation_ = now();
    for (const auto &f : options_.fixed_clients) {
        Client c;
        c.id = f.id;
        c.secret = f.secret;
        c.auth_method = "client_secret_post";
        c.redirect_uris = f.redirect_uris;
        c.grant_types = {"authorization_code", "refresh_token"};
        clients_[c.id] = std::move(c);
    }
}

int64_t AuthorizationServer::now() const {
    if (options_.clock) return options_.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void AuthorizationServer::maybe_rotate_locked(int64_t t) {
    if (options_.rotate_keys_every_s <= 0) return;
    if (t - last_rotation_ >= options_.rotate_keys_every_s) {
        keys_.rotate(t, true);
        last_rotation_ = t;
        ++stats_.rotations;
    }
}

nlohmann::json AuthorizationServer::metadata_document() const {
    nlohmann::json scopes = options_.scopes;
    nlohmann::json doc = {
        {"issuer", issuer_},
        {"authorization_endpoint", issuer_ + "/oauth2/authorize"},
        {"token_endpoint", issuer_ + "/oauth2/token"},
        {"registration_endpoint", issuer_ + "/oauth2/register"},
        {"jwks_uri", issuer_ + "/oauth2/jwks"},
        {"userinfo_endpoint", issuer_ + "/oauth2/userinfo"},
        {"response_types_supported", {"code"}},
        {"response_modes_supported", {"query"}},
        {"grant_types_supported", {"authorization_code", "refresh_token"}},
        {"code_challenge_methods_supported", {"S256"}},
        {"token_endpoint_auth_methods_supported",
         {"none", "client_secret_post", "client_secret_basic"}},
        {"scopes_supported", scopes},
        {"authorization_response_iss_parameter_supported", true},
        {"client_id_metadata_document_supported", true},
    };
    if (options_.mode == UpstreamMode::Google) doc["revocation_endpoint"] = issuer_ + "/oauth2/revoke";
    if (!options_.advertised_issuer.empty()) doc["issuer"] = options_.advertised_issuer;
    if (!options_.advertise_registration || !dcr_enabled()) doc.erase("registration_endpoint");
    if (!dcr_enabled()) doc.erase("client_id_metadata_document_supported");
    if (!options_.advertise_pkce_s256) doc.erase("code_challenge_methods_supported");
    return doc;
}

Reply AuthorizationServer::authorization_server_metadata() {
    {
        std::lock_guard lock(mu_);
        ++stats_.metadata_fetches;
    }
    return Reply::json(200, metadata_document());
}

Reply AuthorizationServer::openid_configuration() {
    {
        std::lock_guard lock(mu_);
        ++stats_.metadata_fetches;
    }
    auto doc = metadata_document();
    doc["subject_types_supported"] = {"public"};
    doc["id_token_signing_alg_values_supported"] = {"RS256"};
    doc["claims_supported"] = {"iss", "sub",   "sid",    "jti",  "iat",   "exp",
                               "aud", "scope", "org_id", "role", "email", "name"};
    return Reply::json(200, doc);
}

Reply AuthorizationServer::jwks() {
    const int64_t t = now();
    std::lock_guard lock(mu_);
    maybe_rotate_locked(t);
    ++stats_.jwks_fetches;
    Reply r = Reply::json(200, keys_.jwks(t));
    r.headers.emplace_back("Cache-Control", "public, max-age=60");
    return r;
}

Reply AuthorizationServer::register_client(std::string_view body) {
    if (!dcr_enabled())
        return Reply::oauth_error(403, "access_denied", "this upstream has no dynamic client registration");
    if (body.size() > kMaxRegistrationBytes)
        return Reply::oauth_error(400, "invalid_client_metadata",
                                  "registration document too large");
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object())
        return Reply::oauth_error(400, "invalid_client_metadata", "body must be a JSON object");

    Client c;
    const auto uris = doc.find("redirect_uris");
    if (uris == doc.end() || !uris->is_array() || uris->empty())
        return Reply::oauth_error(400, "invalid_redirect_uri",
                                  "redirect_uris must be a non-empty array");
    for (const auto &u : *uris) {
        if (!u.is_string() || !absolute_uri(u.get<std::string>()))
            return Reply::oauth_error(
                400, "invalid_redirect_uri",
                "each redirect URI must be an absolute URI without a fragment");
        c.redirect_uris.push_back(u.get<std::string>());
    }
    // RFC 7591 §2: the default method is client_secret_basic.
    c.auth_method = doc.value("token_endpoint_auth_method", std::string("client_secret_basic"));
    if (c.auth_method != "none" && c.auth_method != "client_secret_post" &&
        c.auth_method != "client_secret_basic")
        return Reply::oauth_error(400, "invalid_client_metadata",
                                  "unsupported token_endpoint_auth_method");
    c.grant_types = {"authorization_code"};
    if (auto g = doc.find("grant_types"); g != doc.end()) {
        if (!g->is_array())
            return Reply::oauth_error(400, "invalid_client_metadata",
                                      "grant_types must be an array");
        c.grant_types.clear();
        for (const auto &t : *g) {
            if (!t.is_string() || (t != "authorization_code" && t != "refresh_token"))
                return Reply::oauth_error(400, "invalid_client_metadata", "unsupported grant type");
            c.grant_types.push_back(t.get<std::string>());
        }
    }
    if (auto r = doc.find("response_types"); r != doc.end()) {
        if (!r->is_array())
            return Reply::oauth_error(400, "invalid_client_metadata",
                                      "response_types must be an array");
        for (const auto &t : *r)
            if (t != "code")
                return Reply::oauth_error(400, "invalid_client_metadata",
                                          "only response type code is supported");
    }

    c.id = "client_" + random_hex(12);
    if (c.auth_method != "none") c.secret = random_urlsafe(32);

    nlohmann::json out = doc; // RFC 7591 §3.2.1: echo the registered metadata
    out["client_id"] = c.id;
    out["client_id_issued_at"] = now();
    out["redirect_uris"] = c.redirect_uris;
    out["token_endpoint_auth_method"] = c.auth_method;
    out["grant_types"] = c.grant_types;
    out["response_types"] = {"code"};
    if (!c.secret.empty()) {
        out["client_secret"] = c.secret;
        out["client_secret_expires_at"] = 0;
    }
    {
        std::lock_guard lock(mu_);
        if (clients_.size() >= kMaxClients)
            return Reply::oauth_error(400, "invalid_client_metadata",
                                      "too many registered clients");
        clients_.emplace(c.id, c);
        ++stats_.registrations;
    }
    return no_store(Reply::json(201, out));
}

std::optional<Reply> AuthorizationServer::load_metadata_document_client(const std::string &url) {
    // Fetched on every authorization request (no lock held): the document may change.
    const CimdFetchResult fetched =
        options_.cimd_fetcher ? options_.cimd_fetcher(url) : fetch_cimd(url);
    if (fetched.status != 200)
        return Reply::oauth_error(
            400, "invalid_client",
            "client metadata document: " +
                (fetched.status ? "HTTP " + std::to_string(fetched.status) : fetched.error));
    auto checked = validate_cimd(url, fetched.body);
    if (auto *why = std::get_if<std::string>(&checked))
        return Reply::oauth_error(400, "invalid_client", "client metadata document: " + *why);
    auto &doc = std::get<CimdClient>(checked);
    Client c;
    c.id = url;
    c.auth_method = "none";
    c.redirect_uris = std::move(doc.redirect_uris);
    c.grant_types = std::move(doc.grant_types);
    std::lock_guard lock(mu_);
    if (!clients_.count(url) && clients_.size() >= kMaxClients)
        return Reply::oauth_error(400, "invalid_client", "too many clients");
    clients_[url] = std::move(c);
    ++stats_.metadata_documents;
    return std::nullopt;
}

std::string AuthorizationServer::grant_scope(std::string_view requested) const {
    const auto asked = split_scope(requested);
    if (asked.empty()) return join(options_.scopes);
    std::vector<std::string> granted;
    for (const auto &s : asked)
        if (std::find(options_.scopes.begin(), options_.scopes.end(), s) != options_.scopes.end())
            granted.push_back(s);
    return join(granted);
}

Reply AuthorizationServer::authorize(const Params &q) {
    for (const char *name : {"client_id", "redirect_uri", "response_type", "state", "scope",
                             "code_challenge", "code_challenge_method", "resource"})
        if (param(q, name).repeated)
            return Reply::oauth_error(400, "invalid_request",
                                      std::string(name) + " given more than once");

    // Errors about the client or the redirect URI are shown, never redirected (RFC 6749 §4.1.2.1).
    const auto client_id = param(q, "client_id").value;
    if (!client_id) return Reply::oauth_error(400, "invalid_request", "client_id is required");
    if (dcr_enabled() && cimd_url_allowed(*client_id))
        if (auto refused = load_metadata_document_client(*client_id)) return *refused;
    std::string redirect_uri;
    bool redirect_explicit = false;
    {
        std::lock_guard lock(mu_);
        const auto it = clients_.find(*client_id);
        if (it == clients_.end())
            return Reply::oauth_error(400, "invalid_client", "unknown client_id");
        const auto &uris = it->second.redirect_uris;
        if (auto r = param(q, "redirect_uri").value) {
            if (std::none_of(uris.begin(), uris.end(),
                             [&](const std::string &u) { return redirect_matches(u, *r); }))
                return Reply::oauth_error(400, "invalid_request",
                                          "redirect_uri is not registered for this client");
            redirect_uri = *r;
            redirect_explicit = true;
        } else if (uris.size() == 1) {
            redirect_uri = uris.front();
        } else {
            return Reply::oauth_error(400, "invalid_request", "redirect_uri is required");
        }
    }

    Params back;
    const auto state = param(q, "state").value;
    auto fail = [&](std::string_view error, std::string_view description) {
        Params p{{"error", std::string(error)}, {"error_description", std::string(description)}};
        if (state) p.emplace_back("state", *state);
        p.emplace_back("iss", issuer_);
        return redirect(redirect_uri, p);
    };
    if (down_) return fail("temporarily_unavailable", "the emulator is simulating an outage");
    if (param(q, "response_type").value != "code")
        return fail("unsupported_response_type", "response_type must be code");
    const auto challenge = param(q, "code_challenge").value;
    if (!challenge) return fail("invalid_request", "PKCE is required: code_challenge missing");
    if (param(q, "code_challenge_method").value != "S256")
        return fail("invalid_request", "code_challenge_method must be S256");
    if (!pkce_string(*challenge)) return fail("invalid_request", "malformed code_challenge");
    const auto resource = param(q, "resource").value;
    if (resource && !absolute_uri(*resource))
        return fail("invalid_target", "resource must be an absolute URI without a fragment");
    const std::string scope = grant_scope(param(q, "scope").value.value_or(""));

    PendingCode pending;
    pending.grant.client_id = *client_id;
    pending.grant.scope = scope;
    pending.grant.resource = resource.value_or("");
    pending.grant.sid = "session_" + random_hex(12);
    pending.grant.expires_at = now() + options_.code_lifetime_s;
    pending.redirect_uri = redirect_uri;
    pending.redirect_uri_explicit = redirect_explicit;
    pending.code_challenge = *challenge;
    const std::string code = random_urlsafe(32);
    {
        std::lock_guard lock(mu_);
        if (codes_.size() >= kMaxPending) {
            const int64_t t = now();
            std::erase_if(codes_, [&](const auto &kv) { return kv.second.grant.expires_at <= t; });
            if (codes_.size() >= kMaxPending)
                return fail("temporarily_unavailable", "too many pending codes");
        }
        codes_.emplace(code, std::move(pending));
        ++stats_.authorizations;
    }
    back.emplace_back("code", code);
    if (state) back.emplace_back("state", *state);
    back.emplace_back("iss", issuer_); // RFC 9207
    return redirect(redirect_uri, back);
}

const AuthorizationServer::Client *
AuthorizationServer::authenticate_client_locked(const Params &form, std::string_view authorization,
                                                std::optional<Reply> &error) {
    const auto basic = authorization.empty() ? std::nullopt : basic_credentials(authorization);
    if (!authorization.empty() && !basic) {
        error = Reply::oauth_error(401, "invalid_client", "malformed Authorization header");
        error->headers.emplace_back("WWW-Authenticate", "Basic realm=\"fastmcp-authkit-emulator\"");
        return nullptr;
    }
    const auto form_id = param(form, "client_id");
    const auto form_secret = param(form, "client_secret");
    if (form_id.repeated || form_secret.repeated) {
        error =
            Reply::oauth_error(400, "invalid_request", "client credentials given more than once");
        return nullptr;
    }
    if (basic && form_secret.value) { // RFC 6749 §2.3: one method per request
        error = Reply::oauth_error(400, "invalid_request",
                                   "more than one client authentication method used");
        return nullptr;
    }
    std::string id = basic ? basic->first : form_id.value.value_or("");
    if (basic && form_id.value && *form_id.value != id) {
        error = Reply::oauth_error(400, "invalid_request",
                                   "client_id does not match the Authorization header");
        return nullptr;
    }
    auto unauthorized = [&](std::string_view why) {
        error = Reply::oauth_error(401, "invalid_client", why);
        if (basic)
            error->headers.emplace_back("WWW-Authenticate",
                                        "Basic realm=\"fastmcp-authkit-emulator\"");
        return nullptr;
    };
    if (id.empty()) return unauthorized("client authentication required");
    const auto it = clients_.find(id);
    if (it == clients_.end()) return unauthorized("unknown client");
    const Client &c = it->second;
    if (c.secret.empty()) return &c; // public client ("none"): PKCE is its proof
    const std::string presented = basic ? basic->second : form_secret.value.value_or("");
    if (presented.empty()) return unauthorized("client secret required");
    if (!equal_secret(presented, c.secret)) return unauthorized("client authentication failed");
    return &c;
}

Reply AuthorizationServer::issue_tokens_locked(const Grant &grant, int64_t t) {
    nlohmann::json claims = {
        {"iss", issuer_},
        {"sub", options_.user.sub},
        {"sid", grant.sid},
        {"jti", random_hex(16)},
        {"iat", t},
        {"exp", t + options_.token_lifetime_s},
        {"aud", grant.resource.empty() ? grant.client_id : grant.resource},
        {"scope", grant.scope},
        {"org_id", options_.org_id},
        {"role", "authenticated"}, // the WorkOS JWT template Supabase needs sets this
        {"client_id", grant.client_id},
    };
    // GitHub and Google hand out opaque tokens; everyone else a signed JWT.
    const std::string access = options_.mode == UpstreamMode::GitHub   ? "gho_" + random_urlsafe(30)
                               : options_.mode == UpstreamMode::Google ? "ya29." + random_urlsafe(40)
                                                                       : keys_.sign(claims);
    if (access_tokens_.size() >= kMaxPending)
        std::erase_if(access_tokens_, [&](const auto &kv) { return kv.second.expires_at <= t; });
    access_tokens_[sha256_hex(access)] = {options_.user.sub, t + options_.token_lifetime_s, grant.client_id,
                                          grant.scope, grant.sid};

    ++stats_.tokens_issued;
    nlohmann::json body = {
        {"access_token", access},
        {"token_type", "Bearer"},
        {"expires_in", options_.token_lifetime_s},
        {"scope", grant.scope},
    };
    // OIDC: an id_token for the client (aud = client_id) whenever openid was granted.
    if (options_.mode == UpstreamMode::Oidc || options_.mode == UpstreamMode::Google) {
        const auto granted = split_scope(grant.scope);
        if (std::find(granted.begin(), granted.end(), "openid") != granted.end())
            body["id_token"] = keys_.sign({{"iss", issuer_},
                                           {"sub", options_.user.sub},
                                           {"aud", grant.client_id},
                                           {"iat", t},
                                           {"exp", t + options_.token_lifetime_s},
                                           {"email", options_.user.email},
                                           {"email_verified", true},
                                           {"name", options_.user.name}});
    }
    // Refresh tokens only for clients that registered the grant (RFC 7591 default: code only).
    const auto client = clients_.find(grant.client_id);
    if (client != clients_.end() &&
        std::find(client->second.grant_types.begin(), client->second.grant_types.end(),
                  "refresh_token") != client->second.grant_types.end()) {
        const std::string refresh = random_urlsafe(32);
        Grant r = grant;
        r.expires_at = t + options_.refresh_lifetime_s;
        refresh_tokens_[refresh] = r;
        body["refresh_token"] = refresh;
    }
    return no_store(Reply::json(200, body));
}

Reply AuthorizationServer::token(const Params &form, std::string_view authorization) {
    if (down_)
        return Reply::oauth_error(503, "temporarily_unavailable",
                                  "the emulator is simulating an outage");
    for (const char *name : {"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token",
                             "scope", "resource"})
        if (param(form, name).repeated)
            return Reply::oauth_error(400, "invalid_request",
                                      std::string(name) + " given more than once");
    const int64_t t = now();
    std::lock_guard lock(mu_);
    maybe_rotate_locked(t);
    std::optional<Reply> error;
    const Client *client = authenticate_client_locked(form, authorization, error);
    if (!client) return *error;

    const auto grant_type = param(form, "grant_type").value;
    if (!grant_type) return Reply::oauth_error(400, "invalid_request", "grant_type is required");
    if (std::find(client->grant_types.begin(), client->grant_types.end(), *grant_type) ==
            client->grant_types.end() &&
        (*grant_type == "authorization_code" || *grant_type == "refresh_token"))
        return Reply::oauth_error(400, "unauthorized_client",
                                  "grant type not registered for this client");

    if (*grant_type == "authorization_code") {
        const auto code = param(form, "code").value;
        if (!code) return Reply::oauth_error(400, "invalid_request", "code is required");
        const auto it = codes_.find(*code);
        if (it == codes_.end())
            return Reply::oauth_error(400, "invalid_grant", "unknown or already used code");
        PendingCode pending = std::move(it->second);
        codes_.erase(it); // single use, even when the exchange below fails
        if (pending.grant.expires_at <= t)
            return Reply::oauth_error(400, "invalid_grant", "code expired");
        if (pending.grant.client_id != client->id)
            return Reply::oauth_error(400, "invalid_grant", "code was issued to another client");
        const auto redirect_uri = param(form, "redirect_uri").value;
        if (redirect_uri ? *redirect_uri != pending.redirect_uri : pending.redirect_uri_explicit)
            return Reply::oauth_error(400, "invalid_grant",
                                      "redirect_uri does not match the authorization request");
        const auto verifier = param(form, "code_verifier").value;
        if (!verifier)
            return Reply::oauth_error(400, "invalid_request", "code_verifier is required (PKCE)");
        if (!pkce_string(*verifier) || !equal_secret(s256(*verifier), pending.code_challenge))
            return Reply::oauth_error(400, "invalid_grant",
                                      "code_verifier does not match code_challenge");
        if (const auto resource = param(form, "resource").value) {
            if (!absolute_uri(*resource))
                return Reply::oauth_error(400, "invalid_target",
                                          "resource must be an absolute URI");
            if (!pending.grant.resource.empty() && *resource != pending.grant.resource)
                return Reply::oauth_error(400, "invalid_target",
                                          "resource differs from the authorization request");
            pending.grant.resource = *resource;
        }
        return issue_tokens_locked(pending.grant, t);
    }
    if (*grant_type == "refresh_token") {
        const auto token = param(form, "refresh_token").value;
        if (!token) return Reply::oauth_error(400, "invalid_request", "refresh_token is required");
        const auto it = refresh_tokens_.find(*token);
        if (it == refresh_tokens_.end())
            return Reply::oauth_error(400, "invalid_grant", "unknown refresh token");
        Grant grant = it->second;
        if (grant.client_id != client->id)
            return Reply::oauth_error(400, "invalid_grant",
                                      "refresh token was issued to another client");
        refresh_tokens_.erase(it); // rotated: each refresh token works once
        if (grant.expires_at <= t)
            return Reply::oauth_error(400, "invalid_grant", "refresh token expired");
        if (const auto scope = param(form, "scope").value) {
            const auto had = split_scope(grant.scope);
            for (const auto &s : split_scope(*scope))
                if (std::find(had.begin(), had.end(), s) == had.end())
                    return Reply::oauth_error(400, "invalid_scope",
                                              "scope exceeds the original grant");
            grant.scope = join(split_scope(*scope));
        }
        if (const auto resource = param(form, "resource").value) {
            if (!grant.resource.empty() && *resource != grant.resource)
                return Reply::oauth_error(400, "invalid_target",
                                          "resource differs from the original grant");
            grant.resource = *resource;
        }
        ++stats_.refreshes;
        return issue_tokens_locked(grant, t);
    }
    return Reply::oauth_error(400, "unsupported_grant_type",
                              "grant_type must be authorization_code or refresh_token");
}

Reply AuthorizationServer::userinfo(std::string_view authorization) {
    auto unauthorized = [](std::string_view error, std::string_view why) {
        Reply r = Reply::oauth_error(401, error, why);
        std::string challenge = "Bearer";
        if (!error.empty()) challenge += " error=\"" + std::string(error) + "\"";
        r.headers.emplace_back("WWW-Authenticate", challenge);
        return r;
    };
    if (down_)
        return Reply::oauth_error(503, "temporarily_unavailable",
                                  "the emulator is simulating an outage");
    const auto token = bearer(authorization);
    if (!token) return unauthorized("invalid_request", "bearer token required");
    const int64_t t = now();
    std::lock_guard lock(mu_);
    const auto it = access_tokens_.find(sha256_hex(*token));
    if (it == access_tokens_.end() || it->second.expires_at <= t)
        return unauthorized("invalid_token", "unknown or expired access token");
    return Reply::json(200, {{"sub", it->second.sub},
                             {"email", options_.user.email},
                             {"email_verified", true},
                             {"name", options_.user.name},
                             {"org_id", options_.org_id}});
}

Reply AuthorizationServer::github_user(std::string_view authorization) {
    if (down_) return Reply::oauth_error(503, "temporarily_unavailable", "the emulator is simulating an outage");
    const auto token = bearer(authorization);
    const int64_t t = now();
    std::lock_guard lock(mu_);
    const auto it = token ? access_tokens_.find(sha256_hex(*token)) : access_tokens_.end();
    if (it == access_tokens_.end() || it->second.expires_at <= t)
        return Reply::json(401, {{"message", "Bad credentials"}, {"documentation_url", "https://docs.github.com/rest"}});
    // A stable numeric id per subject, as GitHub's user ids are numbers.
    int64_t id = 0;
    for (char c : it->second.sub) id = (id * 131 + static_cast<unsigned char>(c)) % 1'000'000'007;
    return Reply::json(200, {{"id", id},
                             {"login", options_.user.email.substr(0, options_.user.email.find('@'))},
                             {"name", options_.user.name},
                             {"email", options_.user.email},
                             {"node_id", it->second.sub}});
}

Reply AuthorizationServer::tokeninfo(const Params &query) {
    if (down_) return Reply::oauth_error(503, "temporarily_unavailable", "the emulator is simulating an outage");
    const auto token = param(query, "access_token").value;
    const int64_t t = now();
    std::lock_guard lock(mu_);
    const auto it = token ? access_tokens_.find(sha256_hex(*token)) : access_tokens_.end();
    // Google answers 400 invalid_token for unknown, revoked or expired tokens.
    if (it == access_tokens_.end() || it->second.expires_at <= t)
        return Reply::json(400, {{"error", "invalid_token"}, {"error_description", "Invalid Value"}});
    int64_t id = 0; // Google's numeric user id, stable per subject
    for (char c : it->second.sub) id = (id * 131 + static_cast<unsigned char>(c)) % 1'000'000'007;
    return Reply::json(200, {{"issued_to", it->second.client_id},
                             {"audience", it->second.client_id},
                             {"user_id", std::to_string(id)},
                             {"scope", it->second.scope},
                             {"expires_in", it->second.expires_at - t},
                             {"email", options_.user.email},
                             {"verified_email", true},
                             {"access_type", "offline"}});
}

Reply AuthorizationServer::revoke(const Params &form) {
    if (down_) return Reply::oauth_error(503, "temporarily_unavailable", "the emulator is simulating an outage");
    const auto token = param(form, "token").value;
    if (!token) return Reply::oauth_error(400, "invalid_request", "token is required");
    std::lock_guard lock(mu_);
    if (auto r = refresh_tokens_.find(*token); r != refresh_tokens_.end()) {
        // The whole grant ends: its refresh token and every access token issued under it.
        const std::string sid = r->second.sid;
        refresh_tokens_.erase(r);
        std::erase_if(access_tokens_, [&](const auto &kv) { return kv.second.sid == sid; });
        ++stats_.revocations;
        return Reply::json(200, nlohmann::json::object());
    }
    if (access_tokens_.erase(sha256_hex(*token))) {
        ++stats_.revocations;
        return Reply::json(200, nlohmann::json::object());
    }
    return Reply::oauth_error(400, "invalid_token", "Token is not revocable"); // as Google answers
}

Reply AuthorizationServer::mint(std::string_view body) {
    const auto req = nlohmann::json::parse(body, nullptr, false);
    if (!req.is_object() || !req.contains("sub") || !req["sub"].is_string() ||
        req["sub"].get<std::string>().empty())
        return Reply::oauth_error(400, "invalid_request",
                                  "body must be a JSON object with a non-empty string \"sub\"");
    for (const char *name : {"aud", "scope", "client_id"})
        if (req.contains(name) && !req[name].is_string())
            return Reply::oauth_error(400, "invalid_request",
                                      std::string(name) + " must be a string");
    if (req.contains("expires_in") && !req["expires_in"].is_number_integer())
        return Reply::oauth_error(400, "invalid_request", "expires_in must be an integer");
    const int64_t t = now();
    const int64_t lifetime = req.value("expires_in", options_.token_lifetime_s);
    const std::string client_id = req.value("client_id", std::string("client_emulator_admin_mint"));
    nlohmann::json claims = {
        {"iss", issuer_},
        {"sub", req["sub"]},
        {"sid", "session_" + random_hex(8)},
        {"jti", random_hex(16)},
        {"iat", t},
        {"exp", t + lifetime},
        {"aud", req.value("aud", client_id)},
        {"scope", req.value("scope", std::string("openid profile email"))},
        {"org_id", options_.org_id},
        {"role", "authenticated"},
        {"client_id", client_id},
    };
    std::lock_guard lock(mu_);
    maybe_rotate_locked(t);
    // GitHub hands out opaque tokens; everyone else a signed JWT.
    const std::string access =
        options_.mode == UpstreamMode::GitHub ? "gho_" + random_urlsafe(30) : keys_.sign(claims);
    ++stats_.tokens_issued;
    return no_store(Reply::json(
        200, {{"access_token", access}, {"token_type", "Bearer"}, {"expires_in", lifetime}}));
}

std::string AuthorizationServer::rotate_keys(bool keep_previous) {
    const int64_t t = now();
    std::lock_guard lock(mu_);
    last_rotation_ = t;
    ++stats_.rotations;
    return keys_.rotate(t, keep_previous);
}

nlohmann::json AuthorizationServer::stats() {
    const int64_t t = now();
    std::lock_guard lock(mu_);
    return {{"metadata_fetches", stats_.metadata_fetches},
            {"jwks_fetches", stats_.jwks_fetches},
            {"registrations", stats_.registrations},
            {"authorizations", stats_.authorizations},
            {"tokens_issued", stats_.tokens_issued},
            {"refreshes", stats_.refreshes},
            {"rotations", stats_.rotations},
            {"metadata_documents", stats_.metadata_documents},
            {"revocations", stats_.revocations},
            {"current_kid", keys_.current_kid()},
            {"published_kids", keys_.published_kids(t)},
            {"down", down_.load()}};
}

} // namespace fastmcp::emulator
