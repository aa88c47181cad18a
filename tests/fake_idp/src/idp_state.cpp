#include "idp_state.hpp"

#include "fastmcp/jose/signer.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace fastmcp::fake_idp {
namespace {

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> b(bytes);
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    static const char *digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

int64_t now_s() { return static_cast<int64_t>(std::time(nullptr)); }

} // namespace

std::optional<Fault> parse_fault(const std::string &name) {
    if (name == "healthy") return Fault::Healthy;
    if (name == "hang") return Fault::Hang;
    if (name == "status500") return Fault::Status500;
    if (name == "garbage") return Fault::Garbage;
    if (name == "huge") return Fault::Huge;
    if (name == "unusable") return Fault::Unusable;
    return std::nullopt;
}

const char *fault_name(Fault f) {
    switch (f) {
    case Fault::Healthy: return "healthy";
    case Fault::Hang: return "hang";
    case Fault::Status500: return "status500";
    case Fault::Garbage: return "garbage";
    case Fault::Huge: return "huge";
    case Fault::Unusable: return "unusable";
    }
    return "?";
}

std::optional<Target> parse_target(const std::string &name) {
    if (name == "all") return Target::All;
    if (name == "jwks") return Target::Jwks;
    if (name == "metadata") return Target::Metadata;
    return std::nullopt;
}

KeyPool::KeyPool(size_t spares) : target_(spares), worker_([this] { run(); }) {}

KeyPool::~KeyPool() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

jose::PkeyPtr KeyPool::take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !spare_.empty(); });
    jose::PkeyPtr key = std::move(spare_.front());
    spare_.pop_front();
    cv_.notify_all();
    return key;
}

void KeyPool::run() {
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait(lock, [&] { return stop_ || spare_.size() < target_; });
        if (stop_) return;
        lock.unlock();
        jose::PkeyPtr key = jose::generate_key(jose::Alg::RS256);
        lock.lock();
        spare_.push_back(std::move(key));
        cv_.notify_all();
    }
}

IdpState::IdpState() { rotate(true); }

void IdpState::set_issuer(std::string issuer) {
    std::lock_guard lock(mu_);
    issuer_ = std::move(issuer);
}

std::string IdpState::issuer() const {
    std::lock_guard lock(mu_);
    return issuer_;
}

void IdpState::set_fault(Fault f, Target t, bool huge_content_length) {
    {
        std::lock_guard lock(mu_);
        fault_ = f;
        target_ = t;
        huge_content_length_ = huge_content_length;
        ++fault_generation_;
    }
    fault_changed_.notify_all();
}

Fault IdpState::fault_for(bool jwks_route) const {
    std::lock_guard lock(mu_);
    if (target_ == Target::All || (target_ == Target::Jwks) == jwks_route) return fault_;
    return Fault::Healthy;
}

bool IdpState::huge_content_length() const {
    std::lock_guard lock(mu_);
    return huge_content_length_;
}

void IdpState::hang(int64_t max_ms) {
    std::unique_lock lock(mu_);
    const uint64_t generation = fault_generation_;
    ++hanging_;
    fault_changed_.wait_for(lock, std::chrono::milliseconds(max_ms),
                            [&] { return fault_generation_ != generation; });
    --hanging_;
}

void IdpState::stop_hanging() {
    {
        std::lock_guard lock(mu_);
        ++fault_generation_;
    }
    fault_changed_.notify_all();
}

IdpState::Key *IdpState::find_locked(const std::string &kid) {
    for (auto &k : keys_)
        if (k.kid == kid) return &k;
    return nullptr;
}

std::string IdpState::new_kid_locked() { return "fake_key_" + std::to_string(++generation_) + "_" + random_hex(4); }

std::string IdpState::rotate(bool keep_previous) {
    jose::PkeyPtr pkey = pool_.take(); // may wait: outside the lock
    std::lock_guard lock(mu_);
    if (!keep_previous)
        for (auto &k : keys_) k.published = false;
    Key k;
    k.kid = new_kid_locked();
    k.pkey = std::move(pkey);
    k.published = true;
    current_ = k.kid;
    keys_.push_back(std::move(k));
    return current_;
}

bool IdpState::drop_kid(const std::string &kid) {
    std::lock_guard lock(mu_);
    Key *k = find_locked(kid);
    if (!k) return false;
    k->published = false;
    return true;
}

bool IdpState::publish_kid(const std::string &kid) {
    std::lock_guard lock(mu_);
    Key *k = find_locked(kid);
    if (!k) return false;
    k->published = true;
    return true;
}

std::string IdpState::current_kid() const {
    std::lock_guard lock(mu_);
    return current_;
}

std::vector<std::string> IdpState::published_kids() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto &k : keys_)
        if (k.published) out.push_back(k.kid);
    return out;
}

std::pair<std::string, std::string> IdpState::mint(const MintRequest &r) {
    std::string kid;
    bool known = false;
    {
        std::lock_guard lock(mu_);
        kid = r.kid.value_or(current_);
        known = find_locked(kid) != nullptr;
    }
    if (!known) { // an unknown kid: a key nobody publishes (until publish_kid)
        jose::PkeyPtr pkey = pool_.take(); // may wait: outside the lock
        std::lock_guard lock(mu_);
        if (!find_locked(kid)) keys_.push_back(Key{kid, std::move(pkey), false});
    }
    nlohmann::json claims = nlohmann::json::object();
    const int64_t now = now_s();
    claims["iss"] = r.iss.value_or(issuer());
    claims["sub"] = r.sub;
    claims["iat"] = now;
    claims["exp"] = now + r.exp_in;
    claims["jti"] = random_hex(8);
    if (!r.aud.is_null()) claims["aud"] = r.aud;
    if (r.scope) claims["scope"] = *r.scope;
    for (auto &[name, value] : r.extra.items()) claims[name] = value;
    std::lock_guard lock(mu_);
    Key *k = find_locked(kid);
    nlohmann::json header = {{"kid", kid}, {"typ", "JWT"}};
    return {jose::sign_compact(std::move(header), claims, jose::Alg::RS256, k->pkey.get()), kid};
}

std::string IdpState::jwks_document() const {
    std::lock_guard lock(mu_);
    nlohmann::json keys = nlohmann::json::array();
    for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) // newest first
        if (it->published) keys.push_back(jose::public_jwk(it->pkey.get(), it->kid, jose::Alg::RS256));
    return nlohmann::json{{"keys", keys}}.dump();
}

// The published kids again, each in a form a verifier must skip, plus keys unusable in themselves.
// A host that replaced its good keys with this set would reject every token.
std::string IdpState::unusable_jwks_document() const {
    std::call_once(odd_keys_once_, [this] {
        tiny_rsa_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
        ec_key_ = jose::generate_key(jose::Alg::ES256);
        if (!tiny_rsa_ || !ec_key_) throw std::runtime_error("key generation failed");
    });
    std::lock_guard lock(mu_);
    nlohmann::json keys = nlohmann::json::array();
    for (const auto &k : keys_) {
        if (!k.published) continue;
        nlohmann::json enc = jose::public_jwk(k.pkey.get(), k.kid, jose::Alg::RS256);
        enc["use"] = "enc"; // an encryption key, not a signing key
        keys.push_back(enc);
    }
    nlohmann::json wrong_alg = jose::public_jwk(keys_.front().pkey.get(), "unusable_wrong_alg", jose::Alg::RS256);
    wrong_alg["alg"] = "HS256"; // an RSA key claiming an HMAC algorithm
    keys.push_back(wrong_alg);
    nlohmann::json wrong_kty = jose::public_jwk(keys_.front().pkey.get(), "unusable_wrong_kty", jose::Alg::RS256);
    wrong_kty["kty"] = "oct"; // RSA members under the symmetric key type
    keys.push_back(wrong_kty);
    keys.push_back(jose::public_jwk(tiny_rsa_.get(), "unusable_tiny_rsa", jose::Alg::RS256)); // 1024 bits
    nlohmann::json ec = jose::public_jwk(ec_key_.get(), "unusable_ec_as_rs256", jose::Alg::ES256);
    ec["alg"] = "RS256"; // an EC key claiming an RSA algorithm
    keys.push_back(ec);
    keys.push_back({{"kty", "oct"}, {"kid", "unusable_oct"}, {"k", "c2VjcmV0"}, {"alg", "HS256"}});
    return nlohmann::json{{"keys", keys}}.dump();
}

std::string IdpState::metadata_document() const {
    const std::string base = issuer();
    nlohmann::json m = {
        {"issuer", base},
        {"authorization_endpoint", base + "/oauth2/authorize"},
        {"token_endpoint", base + "/oauth2/token"},
        {"registration_endpoint", base + "/oauth2/register"},
        {"jwks_uri", base + "/oauth2/jwks"},
        {"response_types_supported", {"code"}},
        {"grant_types_supported", {"authorization_code", "refresh_token"}},
        {"code_challenge_methods_supported", {"S256"}},
        {"token_endpoint_auth_methods_supported", {"none", "client_secret_post", "client_secret_basic"}},
    };
    return m.dump();
}

void IdpState::count(bool jwks_route) {
    std::lock_guard lock(mu_);
    ++(jwks_route ? jwks_fetches_ : metadata_fetches_);
}

nlohmann::json IdpState::stats() const {
    std::lock_guard lock(mu_);
    nlohmann::json published = nlohmann::json::array();
    for (const auto &k : keys_)
        if (k.published) published.push_back(k.kid);
    return {{"metadata_fetches", metadata_fetches_},
            {"jwks_fetches", jwks_fetches_},
            {"hanging", hanging_},
            {"fault", fault_name(fault_)},
            {"target", target_ == Target::All ? "all" : target_ == Target::Jwks ? "jwks" : "metadata"},
            {"current_kid", current_},
            {"published_kids", published}};
}

} // namespace fastmcp::fake_idp
