#pragma once
// The OAuth proxy's durable state: one small interface over every record the proxy keeps, with an
// in-memory implementation (tests), SQLite (embedded default) and Redis (shared by replicas).
//
// Contract every backend keeps (tests/integration/oauth_state runs one contract suite against all):
//  - Every record has a TTL; its absolute expiry comes from the injected clock at write time.
//    An expired record is invisible to every call and is eventually swept: no store grows forever.
//  - Values are opaque bytes to the store. Kinds for which encrypted_at_rest() is true are stored
//    AES-256-GCM encrypted (kind+key as AAD) by the persistent backends.
//  - take() and rotate() are atomic: of N concurrent callers (threads, or processes/replicas
//    sharing one SQLite file or one Redis), exactly one wins.
//  - Failures fail closed: a backend that is down, or a record that cannot be decrypted, throws
//    StoreError; it never reads as "absent" and never as success.
//  - All members may be called concurrently from any thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::oauth_proxy {

// What a record is. The numeric values are persisted (SQLite column, Redis key prefix): append
// only.
enum class RecordKind : std::uint8_t {
    client = 1,             // registered client (DCR/CIMD), may carry a client secret
    transaction = 2,        // authorization transaction, keyed by the proxy's upstream `state`
    consent = 3,            // a user's consent to a client
    csrf = 4,               // consent-page CSRF token bound to a transaction
    authorization_code = 5, // proxy-issued code, redeemed once
    upstream_tokens = 6,    // the upstream IdP's access/refresh/id tokens
    jti = 7,                // proxy JWT jti -> upstream_tokens key
    refresh_token = 8,      // proxy-issued refresh token record, rotated on use
};

// Stable lower-case name ("client", "authorization_code", ...), used in keys, logs and errors.
std::string_view kind_name(RecordKind kind) noexcept;

// Kinds whose values hold secrets (client secrets, upstream tokens, the upstream PKCE verifier)
// or grant them (codes, refresh records): encrypted at rest by the persistent backends.
constexpr bool encrypted_at_rest(RecordKind kind) noexcept {
    switch (kind) {
    case RecordKind::client:
    case RecordKind::transaction:
    case RecordKind::authorization_code:
    case RecordKind::upstream_tokens:
    case RecordKind::refresh_token:
        return true;
    case RecordKind::consent:
    case RecordKind::csrf:
    case RecordKind::jti:
        return false;
    }
    return true;
}

// Limits every backend enforces (StoreError::Reason::invalid_argument beyond them).
inline constexpr std::size_t max_key_bytes = 512;
inline constexpr std::size_t max_value_bytes = 64 * 1024;

class StoreError : public std::runtime_error {
  public:
    enum class Reason {
        unavailable,      // backend down or I/O failure (Redis refused, SQLite busy past timeout)
        cannot_decrypt,   // wrong STORAGE_ENCRYPTION_KEY or tampered record
        corrupt,          // malformed stored data
        invalid_argument, // empty/oversized key or value, non-positive TTL
        config,           // bad STORAGE / STORAGE_ENCRYPTION_KEY (start-up)
    };
    StoreError(Reason reason, const std::string &message)
        : std::runtime_error(message), reason_(reason) {}
    Reason reason() const noexcept { return reason_; }

  private:
    Reason reason_;
};

// Stable reason code for a StoreError ("store_unavailable", "store_cannot_decrypt", ...).
std::string_view reason_code(StoreError::Reason reason) noexcept;

// Unix time in milliseconds; injected so tests control expiry (same shape as
// HostServices::ClockFn).
using Clock = std::function<std::int64_t()>;
Clock system_clock();

// One record to store, as part of rotate().
struct Write {
    RecordKind kind;
    std::string key;
    std::string value;
    std::chrono::milliseconds ttl;
};

class StateStore {
  public:
    virtual ~StateStore() = default;

    // Stores value under (kind, key), replacing any previous record; expires after ttl (> 0).
    virtual void put(RecordKind kind, std::string_view key, std::string_view value,
                     std::chrono::milliseconds ttl) = 0;

    // Stores only when no live record exists under (kind, key); true when this call stored it.
    // (Client registration, jti uniqueness: two writers of one key never both succeed.)
    virtual bool put_if_absent(RecordKind kind, std::string_view key, std::string_view value,
                               std::chrono::milliseconds ttl) = 0;

    // The live value, or nullopt when absent or expired.
    virtual std::optional<std::string> get(RecordKind kind, std::string_view key) = 0;

    // Removes the record; true when a live record was removed.
    virtual bool erase(RecordKind kind, std::string_view key) = 0;

    // Get-and-delete, single use: of N concurrent takers of one key exactly one gets the value,
    // the others nullopt. (Code redemption, transaction/state consumption.)
    virtual std::optional<std::string> take(RecordKind kind, std::string_view key) = 0;

    // Compare-and-swap: if (kind, key) is live and holds exactly `expected`, atomically delete it
    // and store every record in `writes` (which may be empty, or rewrite `key` itself); return
    // true. Otherwise change nothing and return false. Of N concurrent callers with the same
    // `expected`, exactly one wins. Refresh rotation: get(old) -> validate -> rotate(old, value,
    // {new refresh record, new jti, ...}); a loser answers invalid_grant. With no writes it is a
    // conditional take (consume a code only once it has been checked to belong to this client).
    virtual bool rotate(RecordKind kind, std::string_view key, std::string_view expected,
                        const std::vector<Write> &writes) = 0;

    // Deletes expired records now; returns how many (backends also sweep on their own).
    virtual std::size_t sweep_expired() = 0;

    // "memory", "sqlite:<path>", "redis://host:port/db" (never a password).
    virtual std::string describe() const = 0;
};

// In-memory store (tests, and single-process development); honours the same contract.
std::unique_ptr<StateStore> make_memory_store(Clock clock = system_clock());

} // namespace fastmcp::oauth_proxy
