// The configured static tokens, stored only as SHA-256 digests next to what each grants.
// Lookup hashes the presented token and compares its digest with EVERY entry's digest with
// CRYPTO_memcmp, without stopping at a match and without branching on the result: how long a
// lookup takes does not depend on which token matched, or on how many leading bytes did.
#pragma once

#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::static_tokens {

using Digest = std::array<unsigned char, 32>;
Digest sha256(std::string_view data);

struct Entry {
    Digest digest{};
    int64_t expires_at = 0; // Unix seconds; 0 = never
    // What a verified token carries (everything but the raw token itself).
    std::string subject;
    std::string client_id;
    std::string issuer;
    std::vector<std::string> scopes;
    std::string claims_json;
};

class TokenTable {
public:
    static constexpr size_t kMaxEntries = 10'000;
    static constexpr size_t kMaxTokenBytes = 16 * 1024;

    // Parses {token: {client_id, scopes, expires_at?, claims?}}. Throws plugin::ConfigError that
    // starts with `variable` and never quotes a token (entries are named by client_id or position).
    static TokenTable parse(const nlohmann::json &tokens, const std::string &variable);

    // The entry whose digest equals sha256(token), or nullptr.
    const Entry *find(std::string_view token) const;

    // The scan itself, with the 32-byte comparison injectable so tests can observe that every
    // entry is compared whatever the outcome. `equal` returns 1 for equal digests, else 0.
    const Entry *find_digest(const Digest &digest,
                             const std::function<int(const Digest &, const Digest &)> &equal) const;
    const Entry *find_digest(const Digest &digest) const;

    size_t size() const { return entries_.size(); }
    size_t expired_at(int64_t now_s) const;

private:
    std::vector<Entry> entries_;
};

} // namespace fastmcp::static_tokens
