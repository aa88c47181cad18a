// Reading Server-Sent Events (WHATWG HTML §9.2): an incremental parser fed one line at a time (so
// a stream that stays open is handled event by event), and the JSON-RPC messages of a whole body.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::client {

struct SseEvent {
    std::string id;               // the stream's last event id after this event ("" = none yet)
    std::string type;             // `event:` field; "" means "message"
    std::string data;             // `data:` lines joined with '\n' (may be empty: a priming event)
    std::optional<long> retry_ms; // a `retry:` field seen in this event
};

class SseParser {
  public:
    // One line without its ending. Returns the event a blank line completes.
    std::optional<SseEvent> feed(std::string_view line);
    // End of stream: a pending event with data (a stream cut after its last data line).
    std::optional<SseEvent> finish();
    const std::string &last_event_id() const { return last_id_; }

  private:
    std::optional<SseEvent> dispatch();
    std::string last_id_, type_, data_;
    bool has_data_ = false, has_fields_ = false;
    std::optional<long> retry_;
};

// The `data` of each event, parsed as JSON; events whose data is not JSON are skipped.
std::vector<nlohmann::json> sse_json_messages(std::string_view body);

} // namespace fastmcp::client
