#include "http_answers.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <sstream>

namespace fastmcp::oauth_proxy {

void json_answer(plugin::RouteResponse &out, int status, std::string body) {
    out.status = status;
    out.content_type = "application/json";
    out.body = std::move(body);
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("Pragma", "no-cache");
}

void oauth_error(plugin::RouteResponse &out, int status, std::string_view error, std::string_view description) {
    json_answer(out, status, nlohmann::json{{"error", error}, {"error_description", description}}.dump());
}

void redirect(plugin::RouteResponse &out, const std::string &location) {
    out.status = 302;
    out.content_type = "text/plain";
    out.body.clear();
    out.headers.emplace_back("Location", location);
    out.headers.emplace_back("Cache-Control", "no-store");
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

void html_error(plugin::RouteResponse &out, int status, std::string_view error, std::string_view description) {
    out.status = status;
    out.content_type = "text/html; charset=utf-8";
    out.body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization failed</title>"
               "</head><body><h1>Authorization failed</h1><p><code>" +
               html_escape(error) + "</code>: " + html_escape(description) + "</p></body></html>";
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

std::string cookie(const plugin::RouteRequest &req, std::string_view name) {
    for (const auto &[n, v] : req.headers) {
        if (n.size() != 6) continue;
        std::string lower(n);
        for (auto &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower != "cookie") continue;
        size_t pos = 0;
        while (pos < v.size()) {
            size_t semi = v.find(';', pos);
            if (semi == std::string_view::npos) semi = v.size();
            std::string_view item = v.substr(pos, semi - pos);
            pos = semi + 1;
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            size_t eq = item.find('=');
            if (eq != std::string_view::npos && item.substr(0, eq) == name)
                return std::string(item.substr(eq + 1));
        }
    }
    return {};
}

std::string set_cookie(std::string_view name, std::string_view value, int64_t max_age_s, bool secure) {
    std::string c = std::string(name) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
                    std::to_string(max_age_s);
    if (secure) c += "; Secure";
    return c;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(const plugin::RouteRequest &req) {
    std::string_view h = req.header("Authorization");
    if (h.size() < 6) return std::nullopt;
    std::string scheme(h.substr(0, 6));
    for (auto &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "basic ") return std::nullopt;
    std::string decoded;
    try {
        std::istringstream in{std::string(h.substr(6))};
        Poco::Base64Decoder dec(in);
        std::ostringstream o;
        o << dec.rdbuf();
        decoded = o.str();
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
    size_t colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string id, secret; // RFC 6749 §2.3.1: both are form-urlencoded before base64
    try {
        std::string raw_id = decoded.substr(0, colon), raw_secret = decoded.substr(colon + 1);
        for (auto *s : {&raw_id, &raw_secret})
            for (auto &c : *s)
                if (c == '+') c = ' ';
        Poco::URI::decode(raw_id, id);
        Poco::URI::decode(raw_secret, secret);
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
    return std::make_pair(id, secret);
}

} // namespace fastmcp::oauth_proxy
