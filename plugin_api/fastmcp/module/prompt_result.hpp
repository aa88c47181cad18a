// What prompts/get answers: messages (role + one content block) and an optional description.
// A handler may also return a std::string (one user text message) or a vector of messages.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace fastmcp::module {

struct PromptMessage {
    std::string role = "user"; // "user" or "assistant"
    nlohmann::json content;    // one content block

    static PromptMessage user(std::string text) { return text_message("user", std::move(text)); }
    static PromptMessage assistant(std::string text) {
        return text_message("assistant", std::move(text));
    }
    // `base64`: the image already base64-encoded.
    static PromptMessage image(std::string base64, std::string mime_type,
                               std::string role = "user") {
        return {
            std::move(role),
            {{"type", "image"}, {"data", std::move(base64)}, {"mimeType", std::move(mime_type)}}};
    }
    // An embedded text resource.
    static PromptMessage resource(std::string uri, std::string mime_type, std::string text,
                                  std::string role = "user") {
        return {std::move(role),
                {{"type", "resource"},
                 {"resource",
                  {{"uri", std::move(uri)},
                   {"mimeType", std::move(mime_type)},
                   {"text", std::move(text)}}}}};
    }

  private:
    static PromptMessage text_message(std::string role, std::string text) {
        return {std::move(role), {{"type", "text"}, {"text", std::move(text)}}};
    }
};

struct PromptResult {
    std::string description;
    std::vector<PromptMessage> messages;
};

// What a completion handler answers (completion/complete): at most 100 values are sent.
struct Completion {
    std::vector<std::string> values;
    long long total = -1; // < 0 = not given
    bool has_more = false;
};

} // namespace fastmcp::module
