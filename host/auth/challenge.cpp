#include "challenge.hpp"

#include <nlohmann/json.hpp>

namespace fastmcp::host {
namespace {

constexpr size_t kMaxDescription = 200;

std::string body(std::string_view error, std::string_view description) {
    nlohmann::json j = {{"error", error}, {"error_description", description}};
    return j.dump();
}

void append_param(std::string &out, std::string_view name, std::string_view value) {
    if (out.size() > 6) out += ", ";
    else out += ' ';
    out.append(name);
    out += "=\"";
    out.append(value);
    out += '"';
}

std::string challenge(std::string_view error, std::string_view description, std::string_view scope,
                      std::string_view metadata) {
    std::string out = "Bearer";
    if (!error.empty()) append_param(out, "error", error);
    if (!description.empty()) append_param(out, "error_description", description);
    if (!scope.empty()) append_param(out, "scope", scope);
    if (!metadata.empty()) append_param(out, "resource_metadata", sanitize_description(metadata, {}));
    return out;
}

} // namespace

std::string sanitize_description(std::string_view text, std::string_view secret) {
    std::string s(text);
    if (!secret.empty())
        for (size_t at = s.find(secret); at != std::string::npos; at = s.find(secret, at + 7)) // 7 = "[token]"
            s.replace(at, secret.size(), "[token]");
    std::string out;
    out.reserve(std::min(s.size(), kMaxDescription));
    for (char c : s) {
        if (out.size() >= kMaxDescription) break;
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e || c == '"' || c == '\\') out += (u >= 0x20 && u <= 0x7e) ? '\'' : ' ';
        else out += c;
    }
    return out;
}

Challenge missing_credentials(std::string_view metadata) {
    return {401, challenge({}, {}, {}, metadata), body("invalid_token", "Bearer token required")};
}

Challenge invalid_token(std::string_view metadata, std::string_view description, std::string_view token) {
    std::string d = sanitize_description(description.empty() ? "the access token is invalid" : description, token);
    return {401, challenge("invalid_token", d, {}, metadata), body("invalid_token", d)};
}

Challenge invalid_request(std::string_view metadata, std::string_view description) {
    std::string d = sanitize_description(description, {});
    return {400, challenge("invalid_request", d, {}, metadata), body("invalid_request", d)};
}

Challenge insufficient_scope(std::string_view metadata, std::string_view scope, std::string_view description,
                             std::string_view token) {
    std::string s = sanitize_description(scope, token);
    std::string d = sanitize_description(description.empty() ? "the access token lacks a required scope" : description, token);
    Challenge c{403, challenge("insufficient_scope", d, s, metadata), {}};
    nlohmann::json j = {{"error", "insufficient_scope"}, {"error_description", d}, {"scope", s}};
    c.body = j.dump();
    return c;
}

Challenge provider_unavailable(std::string_view metadata) {
    (void)metadata;
    return {503, {}, body("temporarily_unavailable", "the auth provider could not verify the token")};
}

} // namespace fastmcp::host
