#include "key_ring.hpp"

#include "random_ids.hpp"

#include "fastmcp/jose/signer.hpp"

namespace fastmcp::emulator {

KeyRing::KeyRing(int64_t grace_s, std::function<jose::PkeyPtr()> key_factory)
    : grace_s_(grace_s), key_factory_(std::move(key_factory)) {
    std::lock_guard lock(mu_);
    add_current_locked();
}

void KeyRing::add_current_locked() {
    Key k;
    // Readable and unique: generation for humans, random suffix so restarts never reuse a kid.
    k.kid = "emu_key_" + std::to_string(++generation_) + "_" + random_hex(4);
    k.pkey = key_factory_ ? key_factory_() : jose::generate_key(jose::Alg::RS256);
    keys_.push_back(std::move(k));
}

void KeyRing::prune_locked(int64_t now) {
    std::erase_if(keys_, [&](const Key &k) {
        return k.retired_at && now - *k.retired_at >= grace_s_;
    });
}

std::string KeyRing::sign(const nlohmann::json &claims) {
    std::lock_guard lock(mu_);
    const Key &k = keys_.back();
    nlohmann::json header = {{"kid", k.kid}, {"typ", "JWT"}};
    return jose::sign_compact(std::move(header), claims, jose::Alg::RS256, k.pkey.get());
}

nlohmann::json KeyRing::jwks(int64_t now) {
    std::lock_guard lock(mu_);
    prune_locked(now);
    nlohmann::json keys = nlohmann::json::array();
    // Current key first: clients that take the first key still get the right one.
    for (auto it = keys_.rbegin(); it != keys_.rend(); ++it)
        keys.push_back(jose::public_jwk(it->pkey.get(), it->kid, jose::Alg::RS256));
    return {{"keys", keys}};
}

std::string KeyRing::rotate(int64_t now, bool keep_previous) {
    std::lock_guard lock(mu_);
    if (keep_previous) {
        keys_.back().retired_at = now;
        prune_locked(now);
    } else {
        keys_.clear();
    }
    add_current_locked();
    return keys_.back().kid;
}

std::string KeyRing::current_kid() {
    std::lock_guard lock(mu_);
    return keys_.back().kid;
}

std::vector<std::string> KeyRing::published_kids(int64_t now) {
    std::lock_guard lock(mu_);
    prune_locked(now);
    std::vector<std::string> out;
    for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) out.push_back(it->kid);
    return out;
}

} // namespace fastmcp::emulator
