// A JWKS key-set source: fetches through the host's HTTP client, caches with a TTL, refreshes in
// the background before expiry, refetches at once for an unknown kid (single-flight and
// rate-limited), and keeps the last good set while the IdP is down (stale-if-error, bounded).
//
// Readers take snapshots (std::shared_ptr<const jose::KeySet>) without ever waiting for a fetch;
// only a reader that needs keys it does not have (none yet, or an unknown kid) may wait for the
// one fetch in flight. Every decision uses the host's clock, so tests drive time themselves and
// call tick() instead of running the worker thread.
#pragma once

#include "fastmcp/jose/jwk.hpp"
#include "fastmcp/jwks/shared_cell.hpp"
#include "fastmcp/provider.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace fastmcp::jwks {

using KeySetPtr = std::shared_ptr<const jose::KeySet>;

struct SourceOptions {
    // Where the key set lives. When resolve_uri is set it is asked before every fetch instead
    // (AuthKit discovery plugs in here); it may block, it runs without the source's lock held.
    std::string jwks_uri;
    std::function<std::string()> resolve_uri;

    int64_t ttl_ms = 600'000;                // a fetched set is fresh this long
    int64_t refresh_ahead_ms = -1;           // refresh this long before expiry; -1 = ttl/10
    int64_t refetch_min_interval_ms = 10'000; // at most one unknown-kid fetch per interval
    int64_t negative_ttl_ms = -1;            // remember a kid absent after a fetch; -1 = interval
    int64_t max_stale_ms = 24 * 3'600'000LL; // serve the last good set this long past its TTL
    int64_t retry_initial_ms = 1'000;        // background retry back-off after a failed fetch
    int64_t retry_max_ms = 30'000;
    uint32_t fetch_timeout_ms = 5'000;     // resolve_uri and the JWKS request together
    uint64_t max_document_bytes = 1 << 20;
    jose::KeySetOptions key_options;
    size_t max_negative_kids = 4096;
    bool background = true;     // start() runs the refresh worker (tests call tick() instead)
    int64_t max_poll_ms = 1'000; // the worker re-reads the clock at least this often
};

struct SkippedKeyInfo {
    std::string kid;
    std::string reason;
};

struct Health {
    bool ready = false; // a key set is available
    bool stale = false; // it is past its TTL (the IdP could not be reached)
    size_t keys = 0;
    std::vector<SkippedKeyInfo> skipped;
    std::string last_error; // of the latest fetch; empty after a success
    std::string jwks_uri;   // the URI last fetched (or configured)
    int64_t fetched_at_ms = 0;
    int64_t last_attempt_ms = 0;
    uint64_t fetches = 0;  // attempts, successful or not
    uint64_t failures = 0;
};

class KeySource {
public:
    // Does no I/O: the first fetch happens in start()'s worker, or on the first reader.
    KeySource(plugin::Host host, SourceOptions options);
    ~KeySource(); // stops and joins the worker
    // Starts the background worker (when options.background). Call once the owner is ready
    // for resolve_uri to be called from another thread.
    void start();
    KeySource(const KeySource &) = delete;
    KeySource &operator=(const KeySource &) = delete;

    // The current key set, or nullptr when none was ever obtained (or the last one went past
    // max_stale). Never blocks.
    KeySetPtr current() const noexcept { return current_.load(); }

    // Bumped each time the snapshot is replaced or dropped. One relaxed-cost atomic read, so a
    // cache of verified tokens can tell cheaply whether the key set may have changed. A key that
    // is unchanged across fetches (same kid, type, alg and public key) keeps its jose::Jwk object,
    // so "is this key still in the set" is a pointer comparison (and its prepared contexts stay warm).
    uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

    // For a reader that found no keys: waits for the fetch in flight, or runs one when the last
    // attempt is old enough (refetch_min_interval or the retry back-off, whichever comes first).
    // May still return nullptr (the IdP is unreachable).
    KeySetPtr await_initial();

    // A verification against `seen` found no key with `kid`. Returns a newer snapshot that has
    // the kid, to retry with, or nullptr: the kid was just looked for (negative cache), or the
    // rate limit applies (a deferred fetch is then scheduled so a newly published key is picked
    // up within refetch_min_interval, fetch included: it starts early by the recent fetch
    // latency), or the fetch did not help.
    KeySetPtr refresh_for_unknown_kid(std::string_view kid, const KeySetPtr &seen);

    // One round of the background schedule on the caller's thread: the first fetch and retries,
    // refresh before expiry, the deferred unknown-kid fetch, dropping a set past max_stale.
    void tick();
    // Fetch now, whatever the schedule (single-flight: joins a fetch already in flight).
    void refresh_now();

    Health health() const;
    uint64_t fetch_count() const { return fetches_.load(); }
    std::string jwks_uri() const;

private:
    enum class Cause { Initial, Refresh, UnknownKid, Manual };
    struct Outcome {
        KeySetPtr keys;
        std::string uri;
        std::string error;
    };

    Outcome fetch_document() const;
    void run_fetch_locked(std::unique_lock<std::mutex> &lock, Cause cause);
    void apply_locked(Outcome outcome, int64_t now);
    void wait_in_flight_locked(std::unique_lock<std::mutex> &lock);
    int64_t tick_locked(std::unique_lock<std::mutex> &lock); // returns ms until next due work
    bool negatively_cached_locked(std::string_view kid, int64_t now);
    void remember_missing_locked(std::string_view kid, int64_t now);
    void worker_main();
    int64_t refresh_ahead() const;
    int64_t negative_ttl() const;
    int64_t deferred_kid_fetch_due_locked() const;

    plugin::Host host_;
    const SourceOptions options_;

    void install_locked(KeySetPtr keys);

    SharedCell<jose::KeySet> current_;
    std::atomic<uint64_t> generation_{1};
    std::atomic<uint64_t> fetches_{0};

    mutable std::mutex mutex_;
    std::condition_variable fetch_done_; // a fetch finished
    std::condition_variable wake_;       // the worker has something to look at
    bool in_flight_ = false;
    bool stopping_ = false;
    bool pending_kid_fetch_ = false;
    bool in_outage_ = false;
    bool dropped_logged_ = false;
    int64_t fetched_at_ms_ = 0;
    int64_t last_attempt_ms_ = 0;
    int64_t last_kid_fetch_ms_ = INT64_MIN / 2;
    int64_t fetch_latency_ms_ = 0; // decaying peak of recent successful fetch durations
    int64_t next_retry_ms_ = 0;
    int64_t retry_delay_ms_ = 0;
    uint64_t failures_ = 0;
    std::string last_error_;
    std::string last_uri_;
    std::string last_kids_; // kid list of the installed set, to log only changes
    std::unordered_map<std::string, int64_t> negative_; // kid -> until (ms)
    std::thread worker_;
};

} // namespace fastmcp::jwks
