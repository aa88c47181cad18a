// What resources/read answers: one or more contents, each text or bytes (the host base64-encodes
// bytes). A handler may also return a std::string (one text content) or an nlohmann::json (its
// text, mimeType application/json unless the resource declares one).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fastmcp::module {

struct ResourceContent {
    std::string uri;       // empty = the URI that was read
    std::string mime_type; // empty = the resource's declared mimeType
    bool is_blob = false;
    std::string data; // UTF-8 text, or raw bytes when is_blob

    static ResourceContent text(std::string text, std::string mime_type = {}) {
        return {{}, std::move(mime_type), false, std::move(text)};
    }
    static ResourceContent blob(std::string bytes, std::string mime_type = {}) {
        return {{}, std::move(mime_type), true, std::move(bytes)};
    }
};

using ResourceContents = std::vector<ResourceContent>;

} // namespace fastmcp::module
