#include "fastmcp/provider_common/protected_resource.hpp"

#include "fastmcp/jwt/bearer_core.hpp"

#include <algorithm>

namespace fastmcp::provider_common {

using nlohmann::json;

ProtectedResource::ProtectedResource(const jwt::SettingsReader &s, std::string_view mcp_path)
    : required_scopes_(s.list("required_scopes")),
      authorization_servers_(s.list("authorization_servers")),
      mcp_path_(mcp_path) {
    if (auto base = s.url("base_url")) {
        base_url_ = *base;
        resource_ = jwt::resource_url(base_url_, mcp_path_);
    }
}

std::vector<std::string> ProtectedResource::routes() const {
    if (resource_.empty()) return {};
    std::string suffixed = std::string(jwt::kProtectedResourcePath) + mcp_path_;
    while (suffixed.size() > 1 && suffixed.back() == '/') suffixed.pop_back();
    std::vector<std::string> out{suffixed};
    if (suffixed != jwt::kProtectedResourcePath) out.emplace_back(jwt::kProtectedResourcePath);
    return out;
}

std::string ProtectedResource::metadata_document() const {
    nlohmann::ordered_json doc;
    doc["resource"] = resource_;
    if (!authorization_servers_.empty()) doc["authorization_servers"] = authorization_servers_;
    if (!required_scopes_.empty()) doc["scopes_supported"] = required_scopes_;
    doc["bearer_methods_supported"] = {"header"};
    return doc.dump();
}

bool ProtectedResource::handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) const {
    const auto mine = routes();
    if (std::none_of(mine.begin(), mine.end(),
                     [&](const std::string &r) { return jwt::path_matches(request.path, r); }))
        return false;
    if (jwt::answer_non_get(request, out)) return true;
    jwt::set_json_document(out, 200, metadata_document());
    return true;
}

json ProtectedResource::describe(std::string_view provider, const std::vector<std::string> &warnings) const {
    const auto r = routes();
    json d;
    d["provider"] = std::string(provider);
    d["resource"] = resource_.empty() ? json(nullptr) : json(resource_);
    d["resource_metadata_url"] = r.empty() ? json(nullptr) : json(base_url_ + r.front());
    d["issuer"] = nullptr;
    d["authorization_servers"] = authorization_servers_;
    d["required_scopes"] = required_scopes_;
    d["routes"] = r;
    d["warnings"] = warnings;
    return d;
}

} // namespace fastmcp::provider_common
