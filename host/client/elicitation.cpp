#include "elicitation.hpp"

#include <istream>
#include <ostream>
#include <sstream>

namespace fastmcp::client {
namespace {

using nlohmann::json;

std::string text_of(const json &j, const char *key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_required(const json &schema, const std::string &name) {
    auto req = schema.find("required");
    if (req == schema.end() || !req->is_array()) return false;
    for (const auto &r : *req)
        if (r == name) return true;
    return false;
}

// One typed answer from a line of input; nullopt when the text does not fit the field.
std::optional<json> parse_answer(const json &prop, const std::string &text) {
    const std::string type = text_of(prop, "type");
    const auto options = enum_options(prop);
    try {
        if (!options.empty()) {
            auto pick = [&](const std::string &t) -> std::optional<json> {
                for (size_t i = 0; i < options.size(); ++i)
                    if (t == std::to_string(i + 1) ||
                        (options[i].first.is_string() && t == options[i].first.get<std::string>()))
                        return options[i].first;
                return std::nullopt;
            };
            if (type != "array") return pick(text);
            json values = json::array();
            std::stringstream ss(text);
            for (std::string part; std::getline(ss, part, ',');) {
                while (!part.empty() && part.front() == ' ')
                    part.erase(0, 1);
                while (!part.empty() && part.back() == ' ')
                    part.pop_back();
                auto v = pick(part);
                if (!v) return std::nullopt;
                values.push_back(*v);
            }
            return values;
        }
        size_t used = 0;
        if (type == "integer") {
            const long long v = std::stoll(text, &used);
            return used == text.size() ? std::optional<json>(v) : std::nullopt;
        }
        if (type == "number") {
            const double v = std::stod(text, &used);
            return used == text.size() ? std::optional<json>(v) : std::nullopt;
        }
        if (type == "boolean") {
            if (text == "y" || text == "yes" || text == "true") return json(true);
            if (text == "n" || text == "no" || text == "false") return json(false);
            return std::nullopt;
        }
    } catch (const std::exception &) {
        return std::nullopt;
    }
    return json(text);
}

json ask(const json &params, std::istream &in, std::ostream &out) {
    const json schema = params.value("requestedSchema", json::object());
    const json props = schema.value("properties", json::object());
    out << "The server asks: " << text_of(params, "message") << "\n";
    json content = json::object();
    for (const auto &[name, prop] : props.items()) {
        const auto options = enum_options(prop);
        std::string title = text_of(prop, "title");
        out << (title.empty() ? name : title);
        if (auto d = text_of(prop, "description"); !d.empty()) out << " (" << d << ")";
        out << "\n";
        for (size_t i = 0; i < options.size(); ++i)
            out << "  " << i + 1 << ") " << options[i].second << "\n";
        const bool required = is_required(schema, name);
        for (int attempt = 0;; ++attempt) {
            if (attempt == 3) return {{"action", "cancel"}};
            out << "  " << (prop.is_object() ? text_of(prop, "type") : "")
                << (required ? ", required" : "");
            if (prop.contains("default")) out << ", Enter for " << prop["default"].dump();
            out << "> " << std::flush;
            std::string line;
            if (!std::getline(in, line)) return {{"action", "cancel"}};
            if (line.empty()) {
                if (prop.contains("default")) content[name] = prop["default"];
                if (prop.contains("default") || !required) break;
                out << "  an answer is required\n";
                continue;
            }
            if (auto v = parse_answer(prop, line)) {
                content[name] = *v;
                break;
            }
            out << "  not a valid " << text_of(prop, "type") << (options.empty() ? "" : " choice")
                << "\n";
        }
    }
    out << "Send these answers? [a]ccept / [d]ecline / [c]ancel> " << std::flush;
    std::string line;
    std::getline(in, line);
    if (line == "a" || line == "accept" || line == "y" || line == "yes")
        return {{"action", "accept"}, {"content", content}};
    return {{"action", line == "d" || line == "decline" ? "decline" : "cancel"}};
}

} // namespace

std::optional<ElicitationMode> elicitation_mode_from(const std::string &name) {
    if (name == "accept-defaults") return ElicitationMode::AcceptDefaults;
    if (name == "decline") return ElicitationMode::Decline;
    if (name == "cancel") return ElicitationMode::Cancel;
    if (name == "ask") return ElicitationMode::Ask;
    return std::nullopt;
}

std::vector<std::pair<json, std::string>> enum_options(const json &property) {
    std::vector<std::pair<json, std::string>> out;
    if (!property.is_object()) return out;
    const json *p = &property;
    if (text_of(property, "type") == "array" && property.contains("items") &&
        property["items"].is_object())
        p = &property["items"]; // multi-select: the choices are the items'
    if (auto e = p->find("enum"); e != p->end() && e->is_array()) {
        const json names = p->value("enumNames", json::array()); // legacy titles
        for (size_t i = 0; i < e->size(); ++i) {
            const json &v = (*e)[i];
            std::string label = i < names.size() && names[i].is_string()
                                    ? names[i].get<std::string>()
                                    : (v.is_string() ? v.get<std::string>() : v.dump());
            out.emplace_back(v, label);
        }
        return out;
    }
    for (const char *key : {"oneOf", "anyOf"}) {
        auto alts = p->find(key);
        if (alts == p->end() || !alts->is_array()) continue;
        for (const auto &alt : *alts) {
            if (!alt.is_object() || !alt.contains("const")) continue;
            std::string label = text_of(alt, "title");
            if (label.empty())
                label = alt["const"].is_string() ? alt["const"].get<std::string>()
                                                 : alt["const"].dump();
            out.emplace_back(alt["const"], label);
        }
        if (!out.empty()) return out;
    }
    return out;
}

std::optional<json> default_content(const json &schema) {
    json content = json::object();
    if (!schema.is_object()) return content;
    const json props = schema.value("properties", json::object());
    if (!props.is_object()) return content;
    for (const auto &[name, prop] : props.items()) {
        if (prop.is_object() && prop.contains("default"))
            content[name] = prop["default"];
        else if (is_required(schema, name))
            return std::nullopt;
    }
    return content;
}

json answer_elicitation(const json &params, ElicitationMode mode, std::istream &in,
                        std::ostream &out) {
    switch (mode) {
    case ElicitationMode::Decline:
        return {{"action", "decline"}};
    case ElicitationMode::Cancel:
        return {{"action", "cancel"}};
    case ElicitationMode::AcceptDefaults: {
        auto content = default_content(params.value("requestedSchema", json::object()));
        if (!content) return {{"action", "decline"}}; // a required field has no default
        return {{"action", "accept"}, {"content", *content}};
    }
    case ElicitationMode::Ask:
        return ask(params, in, out);
    }
    return {{"action", "cancel"}};
}

} // namespace fastmcp::client
