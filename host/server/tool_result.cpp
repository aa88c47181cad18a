#include "fastmcp/server.hpp"

namespace fastmcp {

ToolResult ToolResult::text(std::string text) {
    ToolResult r;
    r.add_text(std::move(text));
    return r;
}

ToolResult ToolResult::error(std::string message) {
    ToolResult r;
    r.add_text(std::move(message));
    r.is_error = true;
    return r;
}

ToolResult &ToolResult::add_text(std::string text) {
    content.push_back({{"type", "text"}, {"text", std::move(text)}});
    return *this;
}

ToolResult &ToolResult::add_image(std::string base64_data, std::string mime_type) {
    content.push_back({{"type", "image"}, {"data", std::move(base64_data)}, {"mimeType", std::move(mime_type)}});
    return *this;
}

ToolResult &ToolResult::add_resource(std::string uri, std::string text, std::string mime_type) {
    content.push_back({{"type", "resource"},
                       {"resource", {{"uri", std::move(uri)}, {"mimeType", std::move(mime_type)}, {"text", std::move(text)}}}});
    return *this;
}

} // namespace fastmcp
