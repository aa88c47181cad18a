// What a tool answers: MCP content blocks, optional structuredContent, isError.
// A handler may also return a std::string (one text block), an nlohmann::json (an object becomes
// structuredContent plus its text form) or nothing (empty content).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace fastmcp::module {

struct ToolResult {
    nlohmann::json content = nlohmann::json::array();
    nlohmann::json structured; // null = none; else a JSON object (structuredContent)
    bool is_error = false;

    static ToolResult text(std::string text) { return ToolResult().add_text(std::move(text)); }
    static ToolResult error(std::string text) {
        ToolResult r = ToolResult::text(std::move(text));
        r.is_error = true;
        return r;
    }
    // structuredContent, with its JSON text as the content block older clients read.
    static ToolResult structured_content(nlohmann::json object) {
        ToolResult r =
            ToolResult::text(object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        r.structured = std::move(object);
        return r;
    }

    ToolResult &add_text(std::string text) {
        // Built in place: a braced initializer copies every member through its list.
        nlohmann::json block(nlohmann::json::value_t::object);
        block.emplace("type", "text");
        block.emplace("text", std::move(text));
        content.push_back(std::move(block));
        return *this;
    }
    // `base64`: the data already base64-encoded, as MCP carries it.
    ToolResult &add_image(std::string base64, std::string mime_type) {
        content.push_back(
            {{"type", "image"}, {"data", std::move(base64)}, {"mimeType", std::move(mime_type)}});
        return *this;
    }
    ToolResult &add_audio(std::string base64, std::string mime_type) {
        content.push_back(
            {{"type", "audio"}, {"data", std::move(base64)}, {"mimeType", std::move(mime_type)}});
        return *this;
    }
    // An embedded text resource.
    ToolResult &add_resource(std::string uri, std::string mime_type, std::string text) {
        content.push_back({{"type", "resource"},
                           {"resource",
                            {{"uri", std::move(uri)},
                             {"mimeType", std::move(mime_type)},
                             {"text", std::move(text)}}}});
        return *this;
    }
    ToolResult &add_resource_link(std::string uri, std::string name, std::string mime_type = {}) {
        nlohmann::json link = {
            {"type", "resource_link"}, {"uri", std::move(uri)}, {"name", std::move(name)}};
        if (!mime_type.empty()) link["mimeType"] = std::move(mime_type);
        content.push_back(std::move(link));
        return *this;
    }
    ToolResult &add(nlohmann::json block) {
        content.push_back(std::move(block));
        return *this;
    }
};

} // namespace fastmcp::module
