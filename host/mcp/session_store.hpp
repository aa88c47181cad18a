// Stateful Streamable HTTP sessions (MCP 2025-06-18 / 2025-11-25, "Session Management" and
// "Resumability"). A session is created by initialize, named by an unguessable Mcp-Session-Id,
// and bound to the identity (sub, client_id) of the token that created it: any other identity is
// told the session does not exist. Every server-to-client message of a session is an SSE event
// with a session-wide increasing id, kept in a bounded per-session log so that a client that lost
// a stream reconnects with Last-Event-ID and gets exactly what it missed on that stream.
//
// Streams: 0 is the standalone GET stream; every POST answered with SSE gets its own. A stream
// has at most one live sink (the HTTP response currently carrying it); without one, its events
// are only logged until a GET with Last-Event-ID attaches a new sink and replays them.
#pragma once

#include "../http/connection.hpp"
#include "session_state.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace fastmcp::host {

struct SessionIdentity {
    std::string subject;
    std::string client_id;
    bool operator==(const SessionIdentity &) const = default;
};

struct SessionLimits {
    size_t max_sessions = 10000;
    int64_t idle_timeout_ms = 30 * 60 * 1000; // no request and no open stream for this long
    size_t max_events = 256;                  // replay log per session
    size_t max_event_bytes = 1 << 20;         // replay log per session
    int retry_ms = 1000;                      // SSE retry: sent in every priming event
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(std::string id, SessionIdentity identity, const SessionLimits &limits);
    const std::string &id() const { return id_; }
    const SessionIdentity &identity() const { return identity_; }

    // A new stream for a POST answered with SSE; the sink receives the priming event (an id,
    // retry:, empty data) at once.
    uint64_t open_request_stream(const std::shared_ptr<EventStream> &sink);
    // The standalone GET stream; false when one is already open (409).
    bool open_standalone_stream(const std::shared_ptr<EventStream> &sink);
    // No live standalone GET stream yet.
    bool standalone_available() const;
    // Attaches `sink` to the stream that carried event `last_event_id` and replays the events of
    // that stream after it (ending the sink when the stream is complete). False when the event is
    // not (or no longer) in the log, or that stream already has a live sink.
    bool resume(uint64_t last_event_id, const std::shared_ptr<EventStream> &sink);

    // Sends one JSON-RPC message on `stream` (logged with the next event id); `final` completes
    // the stream (its sink is ended after this event). False when the stream is unknown.
    bool send(uint64_t stream, const std::string &json_message, bool final);
    // Ends the stream's live sink now without completing the stream (SEP-1699 polling: the client
    // reconnects with Last-Event-ID). False when it has no live sink.
    bool close_sink(uint64_t stream);
    // Ends every sink (DELETE, expiry, shutdown).
    void close();
    bool closed() const;

    void touch(int64_t now_ms);
    bool idle_since(int64_t now_ms, int64_t idle_timeout_ms) const;

    // Test and metrics views.
    size_t logged_events() const;

    // The session's MCP state (log level, subscriptions, requests in flight).
    SessionState &mcp() { return mcp_; }

  private:
    struct Event {
        uint64_t id;
        uint64_t stream;
        std::string data;
    };
    struct Stream {
        std::shared_ptr<EventStream> sink;
        bool complete = false;
    };
    std::string event_text(uint64_t id, const std::string &data, bool priming) const;
    void attach(uint64_t stream, const std::shared_ptr<EventStream> &sink);
    void log_event(Event e);

    const std::string id_;
    const SessionIdentity identity_;
    const SessionLimits &limits_;
    mutable std::mutex mutex_;
    uint64_t next_event_ = 1;
    uint64_t next_stream_ = 1;
    std::deque<Event> log_;
    size_t log_bytes_ = 0;
    std::map<uint64_t, Stream> streams_;
    int64_t last_used_ms_ = 0;
    bool closed_ = false;
    SessionState mcp_;
};

class SessionStore {
  public:
    explicit SessionStore(SessionLimits limits) : limits_(limits) {}

    // A new session, or nullptr when max_sessions are live (503).
    std::shared_ptr<Session> create(SessionIdentity identity, int64_t now_ms);
    // The live session with this id whose identity matches, else nullptr (404 either way: a
    // session is never confirmed to another identity).
    std::shared_ptr<Session> find(const std::string &id, const SessionIdentity &identity,
                                  int64_t now_ms);
    bool remove(const std::string &id, const SessionIdentity &identity);
    size_t size() const;
    // Ends expired sessions (at most once a second, called from lookups).
    void sweep(int64_t now_ms);
    // Ends every session (shutdown).
    void close_all();
    // Sends `json_message` on the GET stream of every live session for which `want` is true;
    // returns how many took it. Called off the I/O loop (it locks every session in turn).
    int broadcast(const std::string &json_message, const std::function<bool(Session &)> &want);
    const SessionLimits &limits() const { return limits_; }

  private:
    SessionLimits limits_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
    int64_t last_sweep_ms_ = 0;
};

// 128 random bits from OpenSSL's CSPRNG, as 32 hex digits (visible ASCII, as the spec asks).
std::string new_session_id();

} // namespace fastmcp::host
