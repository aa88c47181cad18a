#include "doctor_audience.hpp"

#include <algorithm>

namespace fastmcp::cli::doctor {
namespace {

bool contains(const std::vector<std::string> &v, const std::string &s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// The path part of an absolute URL ("" for "http://h:1").
std::string url_path(const std::string &url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    const size_t slash = url.find('/', scheme + 3);
    return slash == std::string::npos ? std::string() : url.substr(slash);
}

} // namespace

void check_audience(const AudienceFacts &f, Report &report) {
    const std::string var = f.env_prefix + "AUDIENCE";
    std::vector<std::string> warnings, fixes;

    const std::string base_path = url_path(f.base_url);
    if (!base_path.empty() && base_path.size() >= f.mcp_path.size() &&
        base_path.compare(base_path.size() - f.mcp_path.size(), f.mcp_path.size(), f.mcp_path) == 0) {
        warnings.push_back(f.env_prefix + "BASE_URL=" + f.base_url + " already ends with the MCP path " + f.mcp_path +
                           ", so the resource URL is " + f.base_url + f.mcp_path);
        fixes.push_back("set " + f.env_prefix + "BASE_URL to the server's root URL, without " + f.mcp_path);
    }

    if (!f.audience_check) {
        warnings.push_back(f.audience_configured
                               ? var + "='*': the audience check is off, so tokens issued for any other resource are accepted"
                               : "no audience is configured, so the audience check is off");
        fixes.push_back(f.resource.empty() ? "set " + f.env_prefix + "BASE_URL (the audience becomes BASE_URL + " +
                                                 f.mcp_path + ") or " + var
                                           : "unset " + var + " (the default is the resource URL " + f.resource +
                                                 ") or list the audiences your tokens carry");
    } else if (!f.conventional.empty()) {
        // Supabase-style: the IdP's own audience, not the resource URL.
        bool any = false;
        for (const auto &c : f.conventional) any = any || contains(f.audiences, c);
        if (!any) {
            warnings.push_back(var + " is " + join(f.audiences) + ", but " + f.provider + " tokens carry aud=" +
                               join(f.conventional));
            fixes.push_back("unset " + var + " (default " + join(f.conventional) + ") unless your tokens really carry " +
                            join(f.audiences));
        }
    } else if (!f.resource.empty() && !contains(f.audiences, f.resource)) {
        warnings.push_back(var + " is " + join(f.audiences) + ", but this server's resource URL is " + f.resource +
                           ", the audience MCP clients ask tokens for (RFC 8707)");
        std::string fix = "set " + var + "=" + f.resource + " or unset it (the default is the resource URL)";
        if (f.provider == "AuthKitProvider")
            fix += ", and add " + f.resource +
                   " to MCP resource indicators in the WorkOS Dashboard (Connect → Configuration)";
        fixes.push_back(fix);
    }

    if (!warnings.empty()) {
        std::string detail, fix;
        for (const auto &w : warnings) detail += (detail.empty() ? "" : "; ") + w;
        for (const auto &x : fixes) fix += (fix.empty() ? "" : "; ") + x;
        report.warn("audience", detail, fix);
        return;
    }
    std::string detail = "tokens must carry aud " + join(f.audiences);
    if (!f.resource.empty()) detail += " (resource URL " + f.resource + ")";
    if (!f.base_url_raw.empty() && f.base_url_raw.back() == '/') detail += "; the trailing '/' of BASE_URL is ignored";
    report.ok("audience", detail);
}

} // namespace fastmcp::cli::doctor
