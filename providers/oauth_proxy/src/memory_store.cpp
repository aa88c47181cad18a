// In-memory StateStore: one mutex over one map. Same contract as the persistent backends (the
// contract tests run against it), no encryption (nothing is at rest).
#include "fastmcp/oauth_proxy/state_store.hpp"
#include "record_checks.hpp"

#include <map>
#include <mutex>

namespace fastmcp::oauth_proxy {
namespace {

class MemoryStore final : public StateStore {
  public:
    explicit MemoryStore(Clock clock) : clock_(std::move(clock)) {}

    void put(RecordKind kind, std::string_view key, std::string_view value,
             std::chrono::milliseconds ttl) override {
        detail::check_record(kind, key, value, ttl);
        std::lock_guard lock(mu_);
        store_locked(kind, key, value, ttl, clock_());
    }

    bool put_if_absent(RecordKind kind, std::string_view key, std::string_view value,
                       std::chrono::milliseconds ttl) override {
        detail::check_record(kind, key, value, ttl);
        std::lock_guard lock(mu_);
        const auto now = clock_();
        if (find_live_locked(kind, key, now) != records_.end()) return false;
        store_locked(kind, key, value, ttl, now);
        return true;
    }

    std::optional<std::string> get(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        std::lock_guard lock(mu_);
        auto it = find_live_locked(kind, key, clock_());
        if (it == records_.end()) return std::nullopt;
        return it->second.value;
    }

    bool erase(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        std::lock_guard lock(mu_);
        auto it = find_live_locked(kind, key, clock_());
        if (it == records_.end()) return false;
        records_.erase(it);
        return true;
    }

    std::optional<std::string> take(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        std::lock_guard lock(mu_);
        auto it = find_live_locked(kind, key, clock_());
        if (it == records_.end()) return std::nullopt;
        auto value = std::move(it->second.value);
        records_.erase(it);
        return value;
    }

    bool rotate(RecordKind kind, std::string_view key, std::string_view expected,
                const std::vector<Write> &writes) override {
        detail::check_key(kind, key);
        detail::check_writes(writes);
        std::lock_guard lock(mu_);
        const auto now = clock_();
        auto it = find_live_locked(kind, key, now);
        if (it == records_.end() || it->second.value != expected) return false;
        records_.erase(it);
        for (const auto &w : writes)
            store_locked(w.kind, w.key, w.value, w.ttl, now);
        return true;
    }

    std::size_t sweep_expired() override {
        std::lock_guard lock(mu_);
        return sweep_locked(clock_());
    }

    std::string describe() const override { return "memory"; }

  private:
    struct Record {
        std::string value;
        std::int64_t expires_at_ms;
    };
    using Map = std::map<std::pair<RecordKind, std::string>, Record, std::less<>>;

    Map::iterator find_live_locked(RecordKind kind, std::string_view key, std::int64_t now) {
        auto it = records_.find(std::pair{kind, std::string(key)});
        if (it == records_.end()) return it;
        if (it->second.expires_at_ms <= now) {
            records_.erase(it);
            return records_.end();
        }
        return it;
    }

    void store_locked(RecordKind kind, std::string_view key, std::string_view value,
                      std::chrono::milliseconds ttl, std::int64_t now) {
        records_[std::pair{kind, std::string(key)}] = Record{std::string(value), now + ttl.count()};
        // Amortised sweep: the map never holds more than twice its live records for long.
        if (++writes_since_sweep_ >= 256 && writes_since_sweep_ >= records_.size() / 2) {
            sweep_locked(now);
        }
    }

    std::size_t sweep_locked(std::int64_t now) {
        writes_since_sweep_ = 0;
        std::size_t removed = 0;
        for (auto it = records_.begin(); it != records_.end();) {
            if (it->second.expires_at_ms <= now) {
                it = records_.erase(it);
                ++removed;
            } else {
                ++it;
            }
        }
        return removed;
    }

    Clock clock_;
    std::mutex mu_;
    Map records_;
    std::size_t writes_since_sweep_ = 0;
};

} // namespace

std::unique_ptr<StateStore> make_memory_store(Clock clock) {
    return std::make_unique<MemoryStore>(std::move(clock));
}

} // namespace fastmcp::oauth_proxy
