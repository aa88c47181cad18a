#include "doctor_http.hpp"

namespace fastmcp::cli::doctor {

JsonDocument get_json(const Http &http, const std::string &url) {
    JsonDocument d;
    plugin::HttpRequest request;
    request.url = url;
    request.timeout_ms = http.timeout_ms;
    request.max_response_bytes = http.max_bytes;
    request.headers.emplace_back("Accept", "application/json");
    plugin::HttpResponse r;
    try {
        r = http.fetch(request);
    } catch (const std::exception &e) {
        d.error = e.what();
        return d;
    }
    d.status = r.status;
    if (r.status == 0) {
        d.error = r.error.empty() ? "no response" : r.error;
        return d;
    }
    if (r.status != 200) {
        d.error = "HTTP " + std::to_string(r.status);
        return d;
    }
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        d.error = "the body is not a JSON object";
        return d;
    }
    d.json = std::move(j);
    return d;
}

} // namespace fastmcp::cli::doctor
