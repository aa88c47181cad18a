#include "session_store.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace fastmcp::host {

std::string new_session_id() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("no randomness for a session id");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    id.reserve(32);
    for (unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

// ---- Session ----

Session::Session(std::string id, SessionIdentity identity, const SessionLimits &limits)
    : id_(std::move(id)), identity_(std::move(identity)), limits_(limits) {}

std::string Session::event_text(uint64_t id, const std::string &data, bool priming) const {
    std::string out = "id: " + std::to_string(id) + "\n";
    if (priming) out += "retry: " + std::to_string(limits_.retry_ms) + "\n";
    // One data: line per line of the payload (a JSON text from dump() has none, but be exact).
    size_t start = 0;
    do {
        const size_t nl = data.find('\n', start);
        out += "data: ";
        out.append(data, start, nl == std::string::npos ? std::string::npos : nl - start);
        out += '\n';
        start = nl == std::string::npos ? std::string::npos : nl + 1;
    } while (start != std::string::npos);
    out += '\n';
    return out;
}

void Session::log_event(Event e) {
    log_bytes_ += e.data.size();
    log_.push_back(std::move(e));
    while (!log_.empty() &&
           (log_.size() > limits_.max_events || log_bytes_ > limits_.max_event_bytes)) {
        log_bytes_ -= log_.front().data.size();
        log_.pop_front();
    }
}

// Detaches the sink from whatever stream holds it when the client goes away. Registered before the
// session lock is taken: an already closed sink calls back at once.
void Session::attach(uint64_t stream, const std::shared_ptr<EventStream> &sink) {
    std::weak_ptr<Session> self = weak_from_this();
    std::weak_ptr<EventStream> weak_sink = sink;
    sink->on_closed([self, weak_sink, stream] {
        auto session = self.lock();
        if (!session) return;
        std::lock_guard lock(session->mutex_);
        auto it = session->streams_.find(stream);
        if (it != session->streams_.end() && it->second.sink == weak_sink.lock())
            it->second.sink = nullptr;
        session->last_used_ms_ = EventLoop::now_ms(); // idle from now on
    });
}

uint64_t Session::open_request_stream(const std::shared_ptr<EventStream> &sink) {
    uint64_t stream;
    {
        std::lock_guard lock(mutex_);
        stream = next_stream_++;
    }
    attach(stream, sink);
    std::lock_guard lock(mutex_);
    if (closed_) {
        sink->end();
        return stream;
    }
    streams_[stream].sink = sink;
    // The priming event: an id to resume from before anything else was sent (SEP-1699).
    Event priming{next_event_++, stream, std::string()};
    sink->send(event_text(priming.id, priming.data, true));
    log_event(std::move(priming));
    return stream;
}

bool Session::open_standalone_stream(const std::shared_ptr<EventStream> &sink) {
    {
        std::lock_guard lock(mutex_);
        auto it = streams_.find(0);
        if (closed_ || (it != streams_.end() && it->second.sink && !it->second.sink->closed()))
            return false;
    }
    attach(0, sink);
    std::lock_guard lock(mutex_);
    Stream &s = streams_[0];
    if (s.sink && !s.sink->closed()) return false; // another GET won the race
    s.sink = sink;
    Event priming{next_event_++, 0, std::string()};
    sink->send(event_text(priming.id, priming.data, true));
    log_event(std::move(priming));
    return true;
}

bool Session::standalone_available() const {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(0);
    return !closed_ && (it == streams_.end() || !it->second.sink || it->second.sink->closed());
}

bool Session::resume(uint64_t last_event_id, const std::shared_ptr<EventStream> &sink) {
    uint64_t stream = 0;
    {
        std::lock_guard lock(mutex_);
        auto at = std::find_if(log_.begin(), log_.end(),
                               [&](const Event &e) { return e.id == last_event_id; });
        if (closed_ || at == log_.end()) return false;
        stream = at->stream;
        auto it = streams_.find(stream);
        if (it != streams_.end() && it->second.sink && !it->second.sink->closed()) return false;
    }
    attach(stream, sink);
    std::lock_guard lock(mutex_);
    auto at = std::find_if(log_.begin(), log_.end(),
                           [&](const Event &e) { return e.id == last_event_id; });
    if (at == log_.end()) return false;
    for (auto e = std::next(at); e != log_.end(); ++e)
        if (e->stream == stream && !e->data.empty()) sink->send(event_text(e->id, e->data, false));
    auto it = streams_.find(stream);
    if (it == streams_.end()) { // complete: everything it had was replayed
        sink->end();
        return true;
    }
    it->second.sink = sink;
    return true;
}

bool Session::send(uint64_t stream, const std::string &json_message, bool final) {
    std::lock_guard lock(mutex_);
    auto it = streams_.find(stream);
    if (closed_ || it == streams_.end()) return false;
    Event e{next_event_++, stream, json_message};
    if (it->second.sink) it->second.sink->send(event_text(e.id, e.data, false));
    log_event(std::move(e));
    if (final) {
        if (it->second.sink) it->second.sink->end();
        streams_.erase(it); // complete: a resume replays its logged events, then ends
    }
    return true;
}

bool Session::close_sink(uint64_t stream) {
    std::shared_ptr<EventStream> sink;
    {
        std::lock_guard lock(mutex_);
        auto it = streams_.find(stream);
        if (it == streams_.end() || !it->second.sink) return false;
        sink = std::move(it->second.sink);
        it->second.sink = nullptr;
    }
    sink->end();
    return true;
}

void Session::close() {
    std::vector<std::shared_ptr<EventStream>> sinks;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto &[id, s] : streams_)
            if (s.sink) sinks.push_back(std::move(s.sink));
        streams_.clear();
        log_.clear();
        log_bytes_ = 0;
    }
    for (auto &s : sinks)
        s->end();
}

bool Session::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void Session::touch(int64_t now_ms) {
    std::lock_guard lock(mutex_);
    last_used_ms_ = now_ms;
}

bool Session::idle_since(int64_t now_ms, int64_t idle_timeout_ms) const {
    std::lock_guard lock(mutex_);
    for (const auto &[id, s] : streams_)
        if (s.sink && !s.sink->closed()) return false; // an open stream is activity
    return now_ms - last_used_ms_ > idle_timeout_ms;
}

size_t Session::logged_events() const {
    std::lock_guard lock(mutex_);
    return log_.size();
}

// ---- SessionStore ----

std::shared_ptr<Session> SessionStore::create(SessionIdentity identity, int64_t now_ms) {
    sweep(now_ms);
    auto session = std::make_shared<Session>(new_session_id(), std::move(identity), limits_);
    session->touch(now_ms);
    std::lock_guard lock(mutex_);
    if (sessions_.size() >= limits_.max_sessions) return nullptr;
    sessions_.emplace(session->id(), session);
    return session;
}

std::shared_ptr<Session> SessionStore::find(const std::string &id, const SessionIdentity &identity,
                                            int64_t now_ms) {
    sweep(now_ms);
    std::shared_ptr<Session> session;
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return nullptr;
        session = it->second;
    }
    if (!(session->identity() == identity) || session->closed()) return nullptr;
    session->touch(now_ms);
    return session;
}

bool SessionStore::remove(const std::string &id, const SessionIdentity &identity) {
    std::shared_ptr<Session> session;
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(id);
        if (it == sessions_.end() || !(it->second->identity() == identity)) return false;
        session = std::move(it->second);
        sessions_.erase(it);
    }
    session->close();
    return true;
}

size_t SessionStore::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void SessionStore::sweep(int64_t now_ms) {
    std::vector<std::shared_ptr<Session>> expired;
    {
        std::lock_guard lock(mutex_);
        if (now_ms - last_sweep_ms_ < 1000) return;
        last_sweep_ms_ = now_ms;
        for (auto it = sessions_.begin(); it != sessions_.end();) {
            if (it->second->idle_since(now_ms, limits_.idle_timeout_ms)) {
                expired.push_back(std::move(it->second));
                it = sessions_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto &s : expired)
        s->close();
}

void SessionStore::close_all() {
    std::unordered_map<std::string, std::shared_ptr<Session>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(sessions_);
    }
    for (auto &[id, s] : all)
        s->close();
}

int SessionStore::broadcast(const std::string &json_message,
                            const std::function<bool(Session &)> &want) {
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(mutex_);
        live.reserve(sessions_.size());
        for (auto &[id, s] : sessions_)
            live.push_back(s);
    }
    int sent = 0;
    for (auto &s : live)
        if (want(*s) && s->send(0, json_message, false)) ++sent;
    return sent;
}

} // namespace fastmcp::host
