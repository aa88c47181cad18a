#include "fastmcp/introspection/introspection_response.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace fastmcp::introspection {
namespace {

using nlohmann::json;

std::string string_member(const json &o, const char *name) {
    auto it = o.find(name);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A NumericDate member: 0 when absent; sets `bad` when present but not a finite number.
int64_t time_member(const json &o, const char *name, std::string &bad) {
    auto it = o.find(name);
    if (it == o.end() || it->is_null()) return 0;
    if (!it->is_number() || !std::isfinite(it->get<double>())) {
        if (bad.empty()) bad = name;
        return 0;
    }
    return static_cast<int64_t>(std::floor(it->get<double>()));
}

std::vector<std::string> scopes_member(const json &o, std::string &bad) {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    };
    auto it = o.find("scope");
    if (it == o.end() || it->is_null()) return out;
    if (it->is_string()) {
        std::string cur;
        for (char c : it->get_ref<const std::string &>()) {
            if (c == ' ') {
                add(std::move(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        add(std::move(cur));
    } else if (it->is_array()) { // not RFC 7662, but some servers send a list
        for (const auto &s : *it) {
            if (!s.is_string()) {
                if (bad.empty()) bad = "scope";
                return {};
            }
            add(s.get<std::string>());
        }
    } else if (bad.empty()) {
        bad = "scope";
    }
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

} // namespace

std::optional<Introspected> parse_response(const plugin::HttpResponse &response, std::string &why) {
    if (response.status == 0) {
        why = "the endpoint could not be reached (" + response.error.substr(0, 200) + ")";
        return std::nullopt;
    }
    if (response.status != 200) {
        why = "the endpoint answered HTTP " + std::to_string(response.status);
        return std::nullopt;
    }
    json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        why = "the endpoint's answer is not a JSON object";
        return std::nullopt;
    }
    Introspected r;
    auto active = body.find("active");
    r.active = active != body.end() && active->is_boolean() && active->get<bool>();
    if (!r.active) return r; // nothing else of an inactive answer is used
    r.exp = time_member(body, "exp", r.bad_claim);
    r.nbf = time_member(body, "nbf", r.bad_claim);
    r.scopes = scopes_member(body, r.bad_claim);
    r.subject = string_member(body, "sub");
    r.client_id = string_member(body, "client_id");
    if (r.client_id.empty()) r.client_id = r.subject;
    r.issuer = string_member(body, "iss");
    r.claims_json = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

plugin::Verdict evaluate(const Introspected &r, std::string_view token, int64_t now_s,
                         const std::vector<std::string> &required_scopes) {
    using plugin::Verdict;
    if (!r.active) return Verdict::reject(FASTMCP_REASON_INACTIVE, "the token is not active");
    if (!r.bad_claim.empty())
        return Verdict::reject(FASTMCP_REASON_BAD_CLAIM,
                               "the introspection answer has a malformed '" + r.bad_claim + "'");
    if (r.exp != 0 && now_s >= r.exp) return Verdict::reject(FASTMCP_REASON_EXPIRED, "the token has expired");
    if (r.nbf != 0 && now_s < r.nbf)
        return Verdict::reject(FASTMCP_REASON_NOT_YET_VALID, "the token is not valid yet");

    auto t = std::make_shared<plugin::VerifiedToken>();
    t->token.assign(token);
    t->subject = r.subject;
    t->client_id = r.client_id;
    t->issuer = r.issuer;
    t->scopes = r.scopes;
    t->expires_at = r.exp;
    t->claims_json = r.claims_json;

    std::vector<std::string> missing;
    for (const auto &s : required_scopes)
        if (std::find(r.scopes.begin(), r.scopes.end(), s) == r.scopes.end()) missing.push_back(s);
    if (!missing.empty()) {
        Verdict v;
        v.reason = FASTMCP_REASON_INSUFFICIENT_SCOPE;
        v.required_scope = join(missing);
        v.description = "the token lacks the required scope(s): " + v.required_scope;
        v.token = std::move(t);
        return v;
    }
    return Verdict::ok(std::move(t));
}

} // namespace fastmcp::introspection
