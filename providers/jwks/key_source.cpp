#include "fastmcp/jwks/key_source.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

namespace fastmcp::jwks {
namespace {

std::string kid_list(const jose::KeySet &set) {
    std::string out;
    for (const auto &k : set.keys) {
        if (!out.empty()) out += ',';
        out += k->kid.empty() ? "(no kid)" : k->kid;
    }
    return out;
}

// Kids come from untrusted tokens: log a bounded, printable form only.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (s.size() > 64) out += "...";
    return out;
}

} // namespace

KeySource::KeySource(plugin::Host host, SourceOptions options)
    : host_(host), options_(std::move(options)) {
    retry_delay_ms_ = options_.retry_initial_ms;
    last_uri_ = options_.jwks_uri;
}

void KeySource::start() {
    std::lock_guard lock(mutex_);
    if (options_.background && !worker_.joinable() && !stopping_)
        worker_ = std::thread([this] { worker_main(); });
}

KeySource::~KeySource() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    fetch_done_.notify_all();
    if (worker_.joinable()) worker_.join();
}

int64_t KeySource::refresh_ahead() const {
    return options_.refresh_ahead_ms >= 0 ? options_.refresh_ahead_ms : options_.ttl_ms / 10;
}

int64_t KeySource::negative_ttl() const {
    return options_.negative_ttl_ms >= 0 ? options_.negative_ttl_ms
                                         : options_.refetch_min_interval_ms;
}

std::string KeySource::jwks_uri() const {
    std::lock_guard lock(mutex_);
    return last_uri_;
}

KeySource::Outcome KeySource::fetch_document() const {
    Outcome out;
    try {
        // One fetch timeout covers resolving the URI (AuthKit discovery may fetch its metadata
        // first) and the JWKS request together, so a reader waiting for this fetch never waits
        // longer than the timeout (tests/integration/idp_faults: start while the IdP hangs).
        const int64_t started = host_.now_ms();
        out.uri = options_.resolve_uri ? options_.resolve_uri() : options_.jwks_uri;
        if (out.uri.empty()) {
            out.error = "no JWKS URI is known yet";
            return out;
        }
        const int64_t left = static_cast<int64_t>(options_.fetch_timeout_ms) - (host_.now_ms() - started);
        if (left <= 0) {
            out.error = "resolving the JWKS URI used up the " +
                        std::to_string(options_.fetch_timeout_ms) + " ms fetch timeout";
            return out;
        }
        plugin::HttpResponse r =
            host_.get(out.uri, static_cast<uint32_t>(left), options_.max_document_bytes);
        if (r.status == 0) {
            out.error = "fetching " + out.uri + " failed: " + (r.error.empty() ? "no response" : r.error);
            return out;
        }
        if (r.status != 200) {
            out.error = "fetching " + out.uri + " returned HTTP " + std::to_string(r.status);
            return out;
        }
        std::string why;
        auto set = jose::parse_jwks(r.body, options_.key_options, why, options_.max_document_bytes);
        if (!set) {
            out.error = "the JWKS at " + out.uri + " is unusable: " + why;
            return out;
        }
        if (set->keys.empty()) {
            out.error = "the JWKS at " + out.uri + " has no usable key";
            for (const auto &s : set->skipped)
                out.error += "; skipped " + printable(s.kid) + ": " + s.reason;
            return out;
        }
        // Keep the objects of keys that did not change, so their identity (and warm prepared
        // verification contexts) survives a refresh.
        if (const KeySetPtr old = current_.load()) {
            for (auto &key : set->keys)
                for (const auto &previous : old->keys)
                    if (previous->same_key(*key)) {
                        key = previous;
                        break;
                    }
        }
        out.keys = std::make_shared<const jose::KeySet>(std::move(*set));
    } catch (const std::exception &e) {
        out.keys.reset();
        out.error = std::string("JWKS fetch failed: ") + e.what();
    }
    return out;
}

void KeySource::run_fetch_locked(std::unique_lock<std::mutex> &lock, Cause cause) {
    const int64_t started = host_.now_ms();
    in_flight_ = true;
    last_attempt_ms_ = started;
    if (cause == Cause::UnknownKid) last_kid_fetch_ms_ = started;
    pending_kid_fetch_ = false; // any fetch from now on will see a newly published key
    fetches_.fetch_add(1);
    lock.unlock();
    Outcome outcome = fetch_document();
    lock.lock();
    const int64_t finished = host_.now_ms();
    // A decaying peak of successful fetches, so one quick answer after slow ones does not make
    // the next deferred fetch late. A failed fetch (timed out, refused) brings no key whenever it
    // starts: leading by its latency would only fetch more often from an IdP that is down.
    if (outcome.keys) fetch_latency_ms_ = std::max(finished - started, fetch_latency_ms_ * 3 / 4);
    apply_locked(std::move(outcome), finished);
    in_flight_ = false;
    fetch_done_.notify_all();
}

void KeySource::apply_locked(Outcome outcome, int64_t now) {
    if (!outcome.uri.empty()) last_uri_ = outcome.uri;
    if (outcome.keys) {
        const std::string kids = kid_list(*outcome.keys);
        if (kids != last_kids_) {
            std::string msg = "JWKS: " + std::to_string(outcome.keys->keys.size()) +
                              " key(s) from " + outcome.uri + " [" + kids + "]";
            for (const auto &s : outcome.keys->skipped)
                msg += "; skipped key " + printable(s.kid) + ": " + s.reason;
            host_.log(outcome.keys->skipped.empty() ? FASTMCP_LOG_INFO : FASTMCP_LOG_WARNING, msg);
            last_kids_ = kids;
        }
        if (in_outage_)
            host_.log(FASTMCP_LOG_INFO, "JWKS: fetching " + outcome.uri + " works again");
        install_locked(std::move(outcome.keys));
        fetched_at_ms_ = now;
        last_error_.clear();
        in_outage_ = false;
        dropped_logged_ = false;
        next_retry_ms_ = 0;
        retry_delay_ms_ = options_.retry_initial_ms;
        return;
    }
    ++failures_;
    last_error_ = outcome.error;
    next_retry_ms_ = now + retry_delay_ms_;
    retry_delay_ms_ = std::min(retry_delay_ms_ * 2, options_.retry_max_ms);
    if (in_outage_) {
        host_.log(FASTMCP_LOG_DEBUG, "JWKS: still failing: " + outcome.error);
        return;
    }
    in_outage_ = true; // logged once per outage, not per request
    auto cur = current_.load();
    host_.log(cur ? FASTMCP_LOG_WARNING : FASTMCP_LOG_ERROR,
              "JWKS: " + outcome.error +
                  (cur ? "; serving the last good key set (" + std::to_string(cur->keys.size()) +
                             " key(s)) and retrying in the background"
                       : "; tokens are rejected with jwks_unavailable until a fetch succeeds "
                         "(retrying in the background)"));
}

void KeySource::install_locked(KeySetPtr keys) {
    current_.store(std::move(keys));
    generation_.fetch_add(1, std::memory_order_acq_rel); // after the store: a reader that sees
                                                         // the new number loads the new set
}

void KeySource::wait_in_flight_locked(std::unique_lock<std::mutex> &lock) {
    fetch_done_.wait(lock, [this] { return !in_flight_ || stopping_; });
}

KeySetPtr KeySource::await_initial() {
    if (auto cur = current_.load()) return cur;
    std::unique_lock lock(mutex_);
    if (auto cur = current_.load()) return cur;
    if (in_flight_) {
        wait_in_flight_locked(lock);
        return current_.load();
    }
    if (stopping_) return nullptr;
    const int64_t now = host_.now_ms();
    const bool allowed = last_attempt_ms_ == 0 || now >= next_retry_ms_ ||
                         now >= last_attempt_ms_ + options_.refetch_min_interval_ms;
    if (!allowed) return nullptr;
    run_fetch_locked(lock, Cause::Initial);
    return current_.load();
}

bool KeySource::negatively_cached_locked(std::string_view kid, int64_t now) {
    auto it = negative_.find(std::string(kid));
    if (it == negative_.end()) return false;
    if (now < it->second) return true;
    negative_.erase(it);
    return false;
}

void KeySource::remember_missing_locked(std::string_view kid, int64_t now) {
    if (kid.size() > 256) return; // not worth remembering; the rate limit still applies
    if (negative_.size() >= options_.max_negative_kids) {
        std::erase_if(negative_, [now](const auto &e) { return e.second <= now; });
        if (negative_.size() >= options_.max_negative_kids) negative_.clear();
    }
    negative_[std::string(kid)] = now + negative_ttl();
}

KeySetPtr KeySource::refresh_for_unknown_kid(std::string_view kid, const KeySetPtr &seen) {
    // A set newer than the one the caller used: retry with it if it has the kid; otherwise go on
    // as if the caller had used it.
    KeySetPtr base = seen;
    if (auto cur = current_.load(); cur && cur != seen) {
        if (cur->find(kid)) return cur;
        base = cur;
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return nullptr;
    const int64_t now = host_.now_ms();
    auto with_kid = [&]() -> KeySetPtr {
        auto cur = current_.load();
        if (cur && cur->find(kid)) return cur;
        remember_missing_locked(kid, now); // looked for and absent: don't fetch for it again soon
        return nullptr;
    };
    if (auto cur = current_.load(); cur && cur != base) return cur->find(kid) ? cur : nullptr;
    if (negatively_cached_locked(kid, now)) return nullptr;
    if (in_flight_) { // single-flight: join the fetch already running
        wait_in_flight_locked(lock);
        if (auto found = with_kid()) return found;
        // That fetch may have been answered before the key was published: look again within
        // the interval.
        if (!stopping_ && !pending_kid_fetch_) {
            pending_kid_fetch_ = true;
            wake_.notify_all();
        }
        return nullptr;
    }
    if (now < last_kid_fetch_ms_ + options_.refetch_min_interval_ms) {
        // Rate-limited. Schedule one deferred fetch so that a key the IdP has just published is
        // picked up within the interval even if this client never retries.
        if (!pending_kid_fetch_) {
            pending_kid_fetch_ = true;
            host_.log(FASTMCP_LOG_DEBUG, "JWKS: unknown kid " + printable(kid) +
                                             "; refetch rate-limited, one is scheduled");
            wake_.notify_all();
        }
        return nullptr;
    }
    host_.log(FASTMCP_LOG_INFO, "JWKS: unknown kid " + printable(kid) + "; refetching the key set");
    run_fetch_locked(lock, Cause::UnknownKid);
    return with_kid();
}

void KeySource::refresh_now() {
    std::unique_lock lock(mutex_);
    if (in_flight_) {
        wait_in_flight_locked(lock);
        return;
    }
    if (!stopping_) run_fetch_locked(lock, Cause::Manual);
}

void KeySource::tick() {
    std::unique_lock lock(mutex_);
    tick_locked(lock);
}

int64_t KeySource::tick_locked(std::unique_lock<std::mutex> &lock) {
    if (in_flight_ || stopping_) return options_.max_poll_ms;
    const int64_t now = host_.now_ms();
    auto cur = current_.load();
    if (cur && now >= fetched_at_ms_ + options_.ttl_ms + options_.max_stale_ms) {
        install_locked(nullptr);
        cur.reset();
        if (!dropped_logged_)
            host_.log(FASTMCP_LOG_ERROR, "JWKS: the last good key set is older than the stale "
                                         "limit and was dropped; tokens are rejected until a "
                                         "fetch succeeds");
        dropped_logged_ = true;
    }
    // When is each kind of work due?
    const int64_t retry_at = next_retry_ms_;
    int64_t due = INT64_MAX;
    Cause cause = Cause::Refresh;
    if (!cur) {
        due = last_attempt_ms_ == 0 ? now : retry_at;
        cause = Cause::Initial;
    } else {
        due = std::max(fetched_at_ms_ + options_.ttl_ms - refresh_ahead(), retry_at);
    }
    if (pending_kid_fetch_) {
        const int64_t kid_due = deferred_kid_fetch_due_locked();
        if (kid_due < due) {
            due = kid_due;
            cause = Cause::UnknownKid;
        }
    }
    if (now < due) return due - now;
    run_fetch_locked(lock, cause);
    return 0;
}

// The deferred unknown-kid fetch starts early by the recent fetch latency, so that a key first
// used just after the previous kid fetch started is installed within the interval, fetch
// included. The lead is capped at half the interval: at most two fetches per interval.
int64_t KeySource::deferred_kid_fetch_due_locked() const {
    const int64_t interval = options_.refetch_min_interval_ms;
    const int64_t lead = std::min(
        {fetch_latency_ms_, static_cast<int64_t>(options_.fetch_timeout_ms), interval / 2});
    return last_kid_fetch_ms_ + interval - lead;
}

void KeySource::worker_main() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const int64_t until_due = tick_locked(lock);
        if (stopping_) break;
        const int64_t wait_ms = std::clamp<int64_t>(until_due, 1, options_.max_poll_ms);
        wake_.wait_for(lock, std::chrono::milliseconds(wait_ms));
    }
}

Health KeySource::health() const {
    Health h;
    auto cur = current_.load();
    std::lock_guard lock(mutex_);
    h.ready = cur != nullptr;
    if (cur) {
        h.keys = cur->keys.size();
        for (const auto &s : cur->skipped) h.skipped.push_back({printable(s.kid), s.reason});
        h.stale = host_.now_ms() >= fetched_at_ms_ + options_.ttl_ms;
    }
    h.last_error = last_error_;
    h.jwks_uri = last_uri_;
    h.fetched_at_ms = fetched_at_ms_;
    h.last_attempt_ms = last_attempt_ms_;
    h.fetches = fetches_.load();
    h.failures = failures_;
    return h;
}

} // namespace fastmcp::jwks
