#include "fastmcp/loader/settings.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"
#include "fastmcp/loader/load_error.hpp"
#include "fastmcp/loader/module.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace fastmcp::loader {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

} // namespace

size_t edit_distance(const std::string &a, const std::string &b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

nlohmann::json Settings::masked() const {
    nlohmann::json out = values;
    for (const auto &name : secret_fields)
        if (out.contains(name)) out[name] = kMask;
    return out;
}

Settings read_settings(const fastmcp_provider_desc &desc, const env::Environment &env) {
    Settings s;
    const std::string prefix = desc.env_prefix;
    std::set<std::string> known;
    for (size_t i = 0; i < desc.field_count; ++i) {
        const fastmcp_setting_field &f = provider_field(desc, i);
        const std::string var = prefix + f.name;
        const std::string key = lower(f.name);
        const auto type = static_cast<fastmcp_field_type>(f.type);
        known.insert(var);
        if (f.flags & FASTMCP_FIELD_SECRET) s.secret_fields.push_back(key);
        std::vector<std::string> notices;
        if (auto v = env.get(var)) {
            try {
                s.values[key] = env::parse_field_value(type, v->value, &notices);
            } catch (const env::ValueError &e) {
                // Secrets are never echoed back, even in an error about their format.
                std::string why = (f.flags & FASTMCP_FIELD_SECRET) ? std::string("invalid ") +
                                      env::field_type_name(f.type) + " value (secret, not shown)"
                                                                   : e.what();
                throw LoadError(ErrorKind::SettingsInvalid, v->label() + ": " + why);
            }
            s.sources[key] = v->source();
            for (const auto &n : notices) s.warnings.push_back(v->label() + ": " + n);
        } else if (f.default_value) {
            try {
                s.values[key] = env::parse_field_value(type, f.default_value, &notices);
            } catch (const env::ValueError &e) {
                throw LoadError(ErrorKind::BadDescriptor, std::string(desc.name) + ": default of " + var +
                                                              " does not parse: " + e.what());
            }
            s.sources[key] = "default";
        } else if (f.flags & FASTMCP_FIELD_REQUIRED) {
            std::string msg = var + ": required by " + desc.name + " but not set";
            if (f.help) msg += std::string(" (") + f.help + ")";
            if (f.example) msg += std::string("; e.g. ") + var + "=" + f.example;
            throw LoadError(ErrorKind::SettingsInvalid, msg);
        }
    }
    for (const auto &v : env.with_prefix(prefix)) {
        if (known.count(v.name)) continue;
        std::string best;
        size_t best_d = SIZE_MAX;
        for (const auto &k : known) {
            size_t d = edit_distance(v.name.substr(prefix.size()), k.substr(prefix.size()));
            if (d < best_d) best_d = d, best = k;
        }
        std::string w = v.label() + ": not a setting of " + desc.name + " (ignored)";
        const size_t suffix_len = v.name.size() - prefix.size();
        if (!best.empty() && best_d <= std::max<size_t>(2, suffix_len / 3)) w += "; did you mean " + best + "?";
        s.warnings.push_back(w);
    }
    return s;
}

} // namespace fastmcp::loader
