// How `auth doctor` fetches documents: an injectable GET (the host's Poco client in the binary),
// with one timeout for every request and messages that say what failed.
#pragma once

#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace fastmcp::cli::doctor {

using Fetch = std::function<plugin::HttpResponse(const plugin::HttpRequest &)>;

struct Http {
    Fetch fetch;
    uint32_t timeout_ms = 5000;
    uint64_t max_bytes = 1 << 20;
};

struct JsonDocument {
    std::optional<nlohmann::json> json; // the object, when the fetch gave 200 and a JSON object
    int status = 0;                     // 0 = no HTTP answer (see error)
    std::string error;                  // "connection refused", "HTTP 404", "not a JSON object"
};

// GET `url` and parse its body as a JSON object.
JsonDocument get_json(const Http &http, const std::string &url);

} // namespace fastmcp::cli::doctor
