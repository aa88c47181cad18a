#include "fastmcp/jwt/bearer_core.hpp"

#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/signature.hpp"

#include <algorithm>
#include <cmath>

namespace fastmcp::jwt {
namespace {

using nlohmann::json;

// Stable, short texts for error_description. The jose detail is appended where it helps a user
// (e.g. which claim); it never holds the token, and is kept short and printable.
const char *default_description(fastmcp_reason r) {
    switch (r) {
    case FASTMCP_REASON_MISSING_TOKEN: return "no bearer token was presented";
    case FASTMCP_REASON_MALFORMED: return "the token is not a JWS compact token";
    case FASTMCP_REASON_BAD_BASE64: return "the token is not valid base64url";
    case FASTMCP_REASON_BAD_JSON: return "the token header or claims are not a JSON object";
    case FASTMCP_REASON_TOKEN_TOO_LARGE: return "the token is too large";
    case FASTMCP_REASON_UNSUPPORTED_CRIT: return "the token has an unsupported critical header";
    case FASTMCP_REASON_ALG_NOT_ALLOWED: return "the token's algorithm is not allowed";
    case FASTMCP_REASON_ALG_KEY_MISMATCH: return "the token's algorithm does not fit its key";
    case FASTMCP_REASON_UNKNOWN_KID: return "the token was signed by an unknown key";
    case FASTMCP_REASON_NO_MATCHING_KEY: return "no key matches the token";
    case FASTMCP_REASON_BAD_SIGNATURE: return "the token signature is invalid";
    case FASTMCP_REASON_EXPIRED: return "the token has expired";
    case FASTMCP_REASON_NOT_YET_VALID: return "the token is not valid yet";
    case FASTMCP_REASON_ISSUED_IN_FUTURE: return "the token was issued in the future";
    case FASTMCP_REASON_MISSING_CLAIM: return "the token lacks a required claim";
    case FASTMCP_REASON_BAD_CLAIM: return "the token has a malformed claim";
    case FASTMCP_REASON_WRONG_ISSUER: return "the token was issued by an untrusted issuer";
    case FASTMCP_REASON_WRONG_AUDIENCE: return "the token was not issued for this resource";
    case FASTMCP_REASON_INSUFFICIENT_SCOPE: return "the token lacks a required scope";
    case FASTMCP_REASON_JWKS_UNAVAILABLE: return "signing keys are not available yet";
    default: return "the token was rejected";
    }
}

std::string short_printable(std::string_view s, size_t limit) {
    std::string out;
    for (char c : s.substr(0, limit)) {
        if (c == '"' || c == '\\') out += '\'';
        else out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    if (s.size() > limit) out += "...";
    return out;
}

std::string join(const std::vector<std::string> &v, char sep) {
    std::string out;
    for (const auto &s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

// A string claim's text, moved out (each is read once); empty when absent or not a string.
std::string take_string(jose::ClaimValue &claim) { return claim.is_string() ? std::move(claim.text) : std::string(); }


} // namespace

bool read_audience(const SettingsReader &s, BearerConfig &c, std::vector<std::string> fallback,
                   std::string_view opt_out_effect) {
    std::vector<std::string> audience = s.list("audience");
    if (audience.empty()) audience = std::move(fallback);
    const bool opt_out = std::find(audience.begin(), audience.end(), "*") != audience.end();
    if (opt_out && audience.size() > 1)
        s.fail("audience", "'*' disables the audience check and cannot be combined with audiences");
    if (opt_out) {
        c.policy.check_audience = false;
        c.warnings.push_back(s.variable("audience") + "='*': the audience check is disabled, so " +
                             std::string(opt_out_effect));
        return true;
    }
    c.policy.check_audience = true;
    c.policy.audiences = std::move(audience);
    return !c.policy.audiences.empty();
}

std::string resource_url(std::string_view base_url, std::string_view mcp_path) {
    std::string out = trim_trailing_slash(std::string(base_url));
    if (mcp_path.empty() || mcp_path == "/") return out;
    if (mcp_path.front() != '/') out += '/';
    out += mcp_path;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

namespace {

// Takes what it keeps (claims text, scopes) out of `result`.
plugin::Verdict make_verdict(jose::Result &result, std::string_view token,
                             const std::vector<std::string> &required_scopes) {
    const fastmcp_reason reason = result.reason;
    plugin::Verdict v;
    v.reason = reason;
    if (reason != FASTMCP_REASON_OK) {
        v.description = default_description(reason);
        if (!result.detail.empty() && reason != FASTMCP_REASON_INSUFFICIENT_SCOPE)
            v.description += ": " + short_printable(result.detail, 120);
    }
    if (reason == FASTMCP_REASON_INSUFFICIENT_SCOPE) {
        v.required_scope = join(result.missing_scopes.empty() ? required_scopes
                                                              : result.missing_scopes,
                                ' ');
        v.description = "the token lacks the required scope(s): " + short_printable(v.required_scope, 200);
    }
    if (reason != FASTMCP_REASON_OK && reason != FASTMCP_REASON_INSUFFICIENT_SCOPE) return v;
    // The claims the verifier read (verify_bearer), else those of the DOM (verify, tests).
    std::optional<jose::RegisteredClaims> converted;
    jose::RegisteredClaims *c = result.registered ? &*result.registered : nullptr;
    if (!c && result.claims.is_object()) c = &converted.emplace(jose::registered_claims_of(result.claims));
    if (!c) return v;
    auto t = std::make_shared<plugin::VerifiedToken>();
    t->token.assign(token);
    t->subject = take_string(c->sub);
    t->client_id = take_string(c->client_id);
    if (t->client_id.empty()) t->client_id = take_string(c->azp);
    if (t->client_id.empty()) t->client_id = t->subject;
    t->issuer = take_string(c->iss);
    t->scopes = result.scopes.empty() ? jose::scopes_of(*c) : std::move(result.scopes);
    if (c->exp.is_number()) t->expires_at = static_cast<int64_t>(std::floor(c->exp.number));
    // The signed text itself when we have it (strict-parsed, so valid JSON): no re-serialising.
    if (!result.claims_text.empty()) t->claims_json = std::move(result.claims_text);
    else if (result.claims.is_object())
        t->claims_json = result.claims.dump(-1, ' ', false, json::error_handler_t::replace);
    else t->claims_json = "{}";
    v.token = std::move(t);
    return v;
}

} // namespace

plugin::Verdict to_verdict(const jose::Result &result, std::string_view token,
                           const std::vector<std::string> &required_scopes) {
    jose::Result copy = result;
    return make_verdict(copy, token, required_scopes);
}

plugin::Verdict to_verdict(jose::Result &&result, std::string_view token,
                           const std::vector<std::string> &required_scopes) {
    return make_verdict(result, token, required_scopes);
}

BearerCore::BearerCore(plugin::Host host, BearerConfig config)
    : host_(host), config_(std::move(config)), cache_(config_.token_cache),
      key_present_([this](const jose::Jwk &key) { return key_in_current_set(key); }) {
    if (!config_.base_url.empty()) resource_ = resource_url(config_.base_url, config_.mcp_path);
    auto state = std::make_shared<State>();
    state->policy = std::make_shared<const jose::Policy>(config_.policy);
    state->authorization_servers = config_.authorization_servers;
    state_.store(std::move(state));
    for (const auto &w : config_.warnings)
        host_.log(FASTMCP_LOG_WARNING, config_.provider_name + ": " + w);
    if (config_.jwks) source_ = std::make_unique<jwks::KeySource>(host_, *config_.jwks);
}

BearerCore::~BearerCore() = default;

void BearerCore::start() {
    if (source_) source_->start();
}

void BearerCore::set_issuer(const std::string &issuer) {
    auto old = state_.load();
    if (old->policy->issuers.size() == 1 && old->policy->issuers[0] == issuer) return;
    auto policy = std::make_shared<jose::Policy>(*old->policy);
    policy->issuers = {issuer};
    auto state = std::make_shared<State>();
    state->policy = std::move(policy);
    state->authorization_servers = {issuer};
    state_.store(std::move(state));
    policy_generation_.fetch_add(1, std::memory_order_acq_rel);
}

plugin::Verdict BearerCore::verify(std::string_view token) {
    if (token.empty())
        return plugin::Verdict::reject(FASTMCP_REASON_MISSING_TOKEN,
                                       default_description(FASTMCP_REASON_MISSING_TOKEN));
    if (token.size() > config_.policy.max_token_bytes)
        return plugin::Verdict::reject(FASTMCP_REASON_TOKEN_TOO_LARGE,
                                       default_description(FASTMCP_REASON_TOKEN_TOO_LARGE));
    TokenDigest digest;
    if (!cache_.enabled() || !cache_.digest(token, digest)) return verify_uncached(token, nullptr);
    if (auto hit = cache_hit(digest)) return std::move(*hit);
    // Counted here, not in cache_hit: a verify_cached miss is followed by this verify, and a
    // request should count once.
    cache_misses_.fetch_add(1, std::memory_order_relaxed);
    return verify_uncached(token, &digest);
}

std::optional<plugin::Verdict> BearerCore::verify_cached(std::string_view token) {
    if (token.empty() || token.size() > config_.policy.max_token_bytes)
        return verify(token); // rejected before any work
    TokenDigest digest;
    if (!cache_.enabled() || !cache_.digest(token, digest)) return std::nullopt;
    return cache_hit(digest);
}

std::optional<plugin::Verdict> BearerCore::cache_hit(const TokenDigest &digest) {
    HitCheck check;
    check.now_ms = host_.now_ms();
    check.leeway_seconds = config_.policy.leeway_seconds; // set_issuer never changes the leeway
    check.key_generation = key_generation();
    check.policy_generation = policy_generation_.load(std::memory_order_acquire);
    check.key_present = &key_present_;
    auto hit = cache_.find(digest, check);
    if (hit) cache_hits_.fetch_add(1, std::memory_order_relaxed);
    return hit;
}

bool BearerCore::key_in_current_set(const jose::Jwk &key) const {
    const jwks::KeySetPtr keys = source_ ? source_->current() : config_.static_keys;
    if (!keys) return false;
    for (const auto &k : keys->keys)
        if (k.get() == &key) return true; // the source keeps the object of an unchanged key
    return false;
}

plugin::Verdict BearerCore::verify_uncached(std::string_view token, const TokenDigest *digest) {
    // Read before the snapshots: if either changes meanwhile, the entry is older than the change
    // and its first hit rechecks (the safe direction).
    const uint64_t key_generation_seen = key_generation();
    const uint64_t policy_generation_seen = policy_generation_.load(std::memory_order_acquire);
    jwks::KeySetPtr keys = config_.static_keys;
    if (!keys && source_) {
        keys = source_->current();
        if (!keys) keys = source_->await_initial();
    }
    if (!keys)
        return plugin::Verdict::reject(FASTMCP_REASON_JWKS_UNAVAILABLE,
                                       default_description(FASTMCP_REASON_JWKS_UNAVAILABLE));
    // Loaded after the keys: the first fetch may have run discovery, which can set the issuer.
    const auto state = state_.load();
    const jose::Policy &policy = *state->policy;
    const int64_t now_ms = host_.now_ms();
    full_verifications_.fetch_add(1, std::memory_order_relaxed);
    jose::Result result = jose::verify_bearer(token, *keys, policy, now_ms / 1000);
    if (result.reason == FASTMCP_REASON_UNKNOWN_KID && source_) {
        jose::ParsedJws parsed; // only its kid is needed
        std::string detail;
        if (jose::parse_compact(token, policy.max_token_bytes, parsed, detail, jose::PayloadMode::Bytes) ==
            FASTMCP_REASON_OK) {
            if (auto newer = source_->refresh_for_unknown_kid(parsed.kid, keys)) {
                keys = std::move(newer);
                result = jose::verify_bearer(token, *keys, policy, host_.now_ms() / 1000);
            }
        }
    }
    if (result.reason == FASTMCP_REASON_UNKNOWN_KID && pinned_key(keys))
        result = verify_with_pinned_key(token, *keys->keys.front(), policy, now_ms / 1000);
    // Read before to_verdict moves the claims text out of the result.
    const jose::Jwk *verified_by = result.key;
    std::optional<double> exp, nbf;
    if (result.registered) {
        if (result.registered->exp.is_number()) exp = result.registered->exp.number;
        if (result.registered->nbf.is_number()) nbf = result.registered->nbf.number;
    }
    plugin::Verdict verdict = to_verdict(std::move(result), token, policy.required_scopes);
    // Only verified tokens are cached (see token_cache.hpp for why rejections are not).
    if (digest && verdict.token && verified_by &&
        (verdict.reason == FASTMCP_REASON_OK ||
         verdict.reason == FASTMCP_REASON_INSUFFICIENT_SCOPE)) {
        CachedVerdict entry;
        for (const auto &k : keys->keys)
            if (k.get() == verified_by) entry.key = k;
        if (entry.key) {
            entry.verdict = verdict;
            entry.key_generation = key_generation_seen;
            entry.policy_generation = policy_generation_seen;
            entry.exp = exp;
            entry.nbf = nbf;
            cache_.insert(*digest, std::move(entry), now_ms);
        }
    }
    return verdict;
}

bool BearerCore::pinned_key(const jwks::KeySetPtr &keys) const {
    return keys == config_.static_keys && keys->keys.size() == 1 && keys->keys.front()->kid.empty();
}

// A configured PEM key has no kid of its own, so it verifies tokens whatever kid they name.
// jose::verify already checked structure and algorithm policy before it reported UNKNOWN_KID.
jose::Result BearerCore::verify_with_pinned_key(std::string_view token, const jose::Jwk &key,
                                                const jose::Policy &policy, int64_t now) const {
    jose::Result r;
    jose::ParsedJws jws;
    r.reason = jose::parse_compact(token, policy.max_token_bytes, jws, r.detail, jose::PayloadMode::Registered);
    if (r.reason != FASTMCP_REASON_OK) return r;
    if (!jws.alg || std::find(policy.allowed_algs.begin(), policy.allowed_algs.end(), *jws.alg) ==
                        policy.allowed_algs.end()) {
        r.reason = FASTMCP_REASON_ALG_NOT_ALLOWED;
        return r;
    }
    if (!key.fits(*jws.alg)) {
        r.reason = FASTMCP_REASON_ALG_KEY_MISMATCH;
        return r;
    }
    if (!jose::verify_signature(*jws.alg, key, jws.signing_input, jws.signature)) {
        r.reason = FASTMCP_REASON_BAD_SIGNATURE;
        return r;
    }
    r = jose::check_claims(*jws.registered, policy, now);
    r.key = &key;
    r.registered = std::move(jws.registered);
    r.claims_text = std::move(jws.payload_bytes);
    return r;
}

std::string BearerCore::resource_metadata_url() const {
    if (resource_.empty()) return {};
    return trim_trailing_slash(config_.base_url) + routes().front();
}

std::vector<std::string> BearerCore::routes() const {
    if (resource_.empty()) return {};
    std::vector<std::string> out;
    std::string suffixed = std::string(kProtectedResourcePath) + config_.mcp_path;
    while (suffixed.size() > 1 && suffixed.back() == '/') suffixed.pop_back();
    out.push_back(suffixed);
    if (suffixed != kProtectedResourcePath) out.emplace_back(kProtectedResourcePath);
    return out;
}

nlohmann::ordered_json BearerCore::protected_resource_metadata() const {
    if (resource_.empty()) return nullptr;
    const auto state = state_.load();
    nlohmann::ordered_json doc;
    doc["resource"] = resource_;
    doc["authorization_servers"] = state->authorization_servers;
    if (!state->policy->required_scopes.empty())
        doc["scopes_supported"] = state->policy->required_scopes;
    doc["bearer_methods_supported"] = {"header"};
    if (config_.resource_name) doc["resource_name"] = *config_.resource_name;
    if (config_.resource_documentation)
        doc["resource_documentation"] = *config_.resource_documentation;
    return doc;
}

bool path_matches(std::string_view path, std::string_view route) {
    if (path == route) return true;
    return path.size() == route.size() + 1 && path.back() == '/' && path.substr(0, route.size()) == route;
}

void set_json_document(plugin::RouteResponse &out, int status, std::string body) {
    out.status = status;
    out.content_type = "application/json";
    out.body = std::move(body);
    out.headers.emplace_back("Access-Control-Allow-Origin", "*");
}

bool answer_non_get(const plugin::RouteRequest &request, plugin::RouteResponse &out) {
    if (request.method == "GET" || request.method == "HEAD") return false;
    out.headers.emplace_back("Access-Control-Allow-Origin", "*");
    out.content_type = "application/json";
    if (request.method == "OPTIONS") {
        out.status = 204;
        out.body.clear();
        out.headers.emplace_back("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        out.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version");
        out.headers.emplace_back("Access-Control-Max-Age", "86400");
        return true;
    }
    out.status = 405;
    out.headers.emplace_back("Allow", "GET, HEAD, OPTIONS");
    out.body = R"({"error":"method_not_allowed","error_description":"use GET"})";
    return true;
}

bool BearerCore::handle_route(const plugin::RouteRequest &request,
                              plugin::RouteResponse &out) const {
    bool mine = false;
    for (const auto &r : routes()) mine = mine || path_matches(request.path, r);
    if (!mine) return false;
    if (answer_non_get(request, out)) return true;
    set_json_document(out, 200, protected_resource_metadata().dump());
    return true;
}

nlohmann::json BearerCore::describe() const {
    const auto state = state_.load();
    const jose::Policy &policy = *state->policy;
    json d;
    d["provider"] = config_.provider_name;
    d["resource"] = resource_.empty() ? json(nullptr) : json(resource_);
    const std::string rm = resource_metadata_url();
    d["resource_metadata_url"] = rm.empty() ? json(nullptr) : json(rm);
    d["issuer"] = policy.issuers.empty() ? json(nullptr) : json(policy.issuers.front());
    d["issuers"] = policy.issuers;
    d["authorization_servers"] = state->authorization_servers;
    d["required_scopes"] = policy.required_scopes;
    d["audience_check"] = policy.check_audience;
    d["audiences"] = policy.audiences;
    json algs = json::array();
    for (auto a : policy.allowed_algs) algs.push_back(std::string(jose::alg_name(a)));
    d["algorithms"] = algs;
    d["leeway_seconds"] = policy.leeway_seconds;
    d["routes"] = routes();
    d["warnings"] = config_.warnings;
    json h;
    if (source_) {
        const jwks::Health s = source_->health();
        h["ready"] = s.ready;
        h["keys"] = s.keys;
        h["stale"] = s.stale;
        h["last_error"] = s.last_error.empty() ? json(nullptr) : json(s.last_error);
        h["jwks_uri"] = s.jwks_uri;
        h["fetched_at"] = s.fetched_at_ms ? json(s.fetched_at_ms / 1000) : json(nullptr);
        h["fetches"] = s.fetches;
        h["failures"] = s.failures;
        json skipped = json::array();
        for (const auto &k : s.skipped) skipped.push_back({{"kid", k.kid}, {"reason", k.reason}});
        h["skipped_keys"] = skipped;
    } else {
        const size_t n = config_.static_keys ? config_.static_keys->keys.size() : 0;
        h["ready"] = n > 0;
        h["keys"] = n;
        h["last_error"] = nullptr;
        h["jwks_uri"] = nullptr;
    }
    // Counters for the host's /metrics (they cross the ABI in this document).
    h["cache_hits"] = cache_hits_.load(std::memory_order_relaxed);
    h["cache_misses"] = cache_misses_.load(std::memory_order_relaxed);
    d["health"] = h;
    return d;
}

} // namespace fastmcp::jwt
