// The emulator's RS256 signing keys: one current key plus retired keys that stay published in the
// JWKS for a grace period, so tokens signed before a rotation keep verifying (as a real IdP does).
#pragma once

#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fastmcp::emulator {

class KeyRing {
public:
    // grace_s: how long a retired key stays in the JWKS (0 = dropped at once).
    explicit KeyRing(int64_t grace_s, std::function<jose::PkeyPtr()> key_factory = {});

    // Signs `claims` with the current key (header carries its kid).
    std::string sign(const nlohmann::json &claims);
    // {"keys":[current, retired still in grace...]} as of `now` (Unix seconds).
    nlohmann::json jwks(int64_t now);
    // Makes a fresh key current; the old one is retired at `now`. keep_previous=false drops all
    // retired keys at once (simulates an IdP that revokes keys abruptly). Returns the new kid.
    std::string rotate(int64_t now, bool keep_previous = true);
    std::string current_kid();
    std::vector<std::string> published_kids(int64_t now);

private:
    struct Key {
        std::string kid;
        jose::PkeyPtr pkey;
        std::optional<int64_t> retired_at; // unset = current
    };
    void add_current_locked();
    void prune_locked(int64_t now);

    std::mutex mu_;
    int64_t grace_s_;
    std::function<jose::PkeyPtr()> key_factory_;
    std::vector<Key> keys_; // keys_.back() is current
    unsigned generation_ = 0;
};

} // namespace fastmcp::emulator
