#include "token_display.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <cstdio>
#include <ctime>
#include <sstream>

namespace fastmcp::cli {

using nlohmann::json;

DecodedToken decode_for_display(const std::string &token) {
    DecodedToken d;
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t dot = token.find('.', start);
        parts.push_back(token.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    d.parts = parts.size();
    if (parts.size() != 3) {
        d.problem = "not three dot-separated parts (" + std::to_string(parts.size()) + " found)";
        return d;
    }
    d.signature_chars = parts[2].size();
    auto part = [&](const std::string &p, const char *what) -> json {
        auto bytes = jose::base64url_decode(p);
        if (!bytes) {
            d.problem += std::string(d.problem.empty() ? "" : "; ") + what + " is not strict base64url";
            return nullptr;
        }
        json j = json::parse(*bytes, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            d.problem += std::string(d.problem.empty() ? "" : "; ") + what + " is not a JSON object";
            return nullptr;
        }
        return j;
    };
    d.header = part(parts[0], "header");
    d.claims = part(parts[1], "claims");
    return d;
}

std::string utc_time(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string relative_time(int64_t delta) {
    const int64_t a = delta < 0 ? -delta : delta;
    std::string span = a >= 86400 ? std::to_string(a / 86400) + "d " + std::to_string(a % 86400 / 3600) + "h"
                       : a >= 3600 ? std::to_string(a / 3600) + "h " + std::to_string(a % 3600 / 60) + "m"
                       : a >= 60   ? std::to_string(a / 60) + "m " + std::to_string(a % 60) + "s"
                                   : std::to_string(a) + "s";
    return delta >= 0 ? "in " + span : span + " ago";
}

std::vector<std::string> time_notes(const json &claims, int64_t now) {
    std::vector<std::string> out;
    if (!claims.is_object()) return out;
    for (const char *name : {"iat", "nbf", "exp"}) {
        auto it = claims.find(name);
        if (it == claims.end() || !it->is_number()) continue;
        const auto t = static_cast<int64_t>(it->get<double>());
        out.push_back(std::string(name) + ": " + utc_time(t) + " (" + relative_time(t - now) + ")");
    }
    return out;
}

void print_indented(const json &j, const char *indent) {
    std::istringstream lines(j.dump(2, ' ', false, json::error_handler_t::replace));
    for (std::string line; std::getline(lines, line);) std::printf("%s%s\n", indent, line.c_str());
}

} // namespace fastmcp::cli
