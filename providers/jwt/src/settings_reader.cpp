#include "fastmcp/jwt/settings_reader.hpp"

#include "fastmcp/provider.hpp"

#include <cctype>
#include <cmath>

namespace fastmcp::jwt {

std::string trim_trailing_slash(std::string url) {
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    return url;
}

SettingsReader::SettingsReader(std::string_view json, std::string env_prefix)
    : prefix_(std::move(env_prefix)) {
    values_ = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (values_.is_discarded() || !values_.is_object())
        throw plugin::ConfigError("provider settings are not a JSON object");
}

std::string SettingsReader::variable(std::string_view field) const {
    std::string out = prefix_;
    for (char c : field) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

void SettingsReader::fail(std::string_view field, std::string_view why) const {
    throw plugin::ConfigError(variable(field) + ": " + std::string(why));
}

const nlohmann::json *SettingsReader::find(std::string_view field) const {
    auto it = values_.find(std::string(field));
    if (it == values_.end() || it->is_null()) return nullptr;
    return &*it;
}

bool SettingsReader::has(std::string_view field) const {
    const auto *v = find(field);
    if (!v) return false;
    if (v->is_string()) return !v->get_ref<const std::string &>().empty();
    if (v->is_array()) return !v->empty();
    return true;
}

std::optional<std::string> SettingsReader::string(std::string_view field) const {
    const auto *v = find(field);
    if (!v) return std::nullopt;
    if (!v->is_string()) fail(field, "expected a string");
    const auto &s = v->get_ref<const std::string &>();
    if (s.empty()) return std::nullopt;
    return s;
}

std::string SettingsReader::required_string(std::string_view field) const {
    auto s = string(field);
    if (!s) fail(field, "is required");
    return *s;
}

std::optional<std::string> SettingsReader::url(std::string_view field) const {
    auto s = string(field);
    if (!s) return std::nullopt;
    const bool http = s->rfind("http://", 0) == 0 || s->rfind("https://", 0) == 0;
    const size_t host_start = s->find("://") + 3;
    if (!http || s->size() <= host_start || (*s)[host_start] == '/')
        fail(field, "not an absolute http(s) URL");
    return trim_trailing_slash(*s);
}

std::string SettingsReader::required_url(std::string_view field, std::string_view hint) const {
    auto u = url(field);
    if (!u) fail(field, hint.empty() ? std::string("is required") : "is required (" + std::string(hint) + ")");
    return *u;
}

std::vector<std::string> SettingsReader::list(std::string_view field) const {
    std::vector<std::string> out;
    const auto *v = find(field);
    if (!v) return out;
    auto add_split = [&](const std::string &s) {
        std::string cur;
        for (char c : s) {
            if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
                if (!cur.empty()) out.push_back(std::move(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!cur.empty()) out.push_back(std::move(cur));
    };
    if (v->is_string()) {
        add_split(v->get<std::string>());
    } else if (v->is_array()) {
        for (const auto &e : *v) {
            if (!e.is_string()) fail(field, "expected a list of strings");
            if (!e.get_ref<const std::string &>().empty()) out.push_back(e.get<std::string>());
        }
    } else {
        fail(field, "expected a list of strings");
    }
    return out;
}

int64_t SettingsReader::duration_ms(std::string_view field, int64_t default_ms) const {
    const auto *v = find(field);
    if (!v) return default_ms;
    double seconds = 0;
    if (v->is_number()) {
        seconds = v->get<double>();
    } else if (v->is_string()) {
        try {
            size_t used = 0;
            seconds = std::stod(v->get<std::string>(), &used);
            if (used != v->get_ref<const std::string &>().size()) fail(field, "not a duration");
        } catch (const std::logic_error &) {
            fail(field, "not a duration");
        }
    } else {
        fail(field, "not a duration");
    }
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) fail(field, "out of range");
    return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

int64_t SettingsReader::integer(std::string_view field, int64_t default_value, int64_t min,
                                int64_t max) const {
    const auto *v = find(field);
    if (!v) return default_value;
    int64_t value = 0;
    if (v->is_number_integer()) {
        value = v->get<int64_t>();
    } else if (v->is_string()) {
        const auto &text = v->get_ref<const std::string &>();
        size_t used = 0;
        try {
            value = std::stoll(text, &used);
        } catch (const std::logic_error &) {
            fail(field, "not an integer");
        }
        if (used != text.size()) fail(field, "not an integer");
    } else {
        fail(field, "not an integer");
    }
    if (value < min || value > max)
        fail(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return value;
}

} // namespace fastmcp::jwt
