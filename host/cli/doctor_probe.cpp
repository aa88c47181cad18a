#include "doctor_probe.hpp"

#include <algorithm>

namespace fastmcp::cli::doctor {

void check_probe(const ProbeTarget &t, const Http &http, Report &report) {
    const std::string url = t.base_url + "/.well-known/oauth-protected-resource" + t.mcp_path;
    JsonDocument d = get_json(http, url);
    if (!d.json) {
        report.fail("probe", url + ": " + d.error,
                    d.status == 0 ? "start the server (fastmcp run ...) and make sure " + t.base_url_setting +
                                        " is the URL clients use to reach it"
                                  : "the server at " + t.base_url + " does not serve this configuration's metadata: "
                                        "is it a fastmcp server with this auth provider, and is the MCP path " +
                                        t.mcp_path + "?");
        return;
    }
    const nlohmann::json &doc = *d.json;
    std::vector<std::string> problems;
    const std::string resource = doc.value("resource", std::string());
    if (resource != t.resource) problems.push_back("resource is " + (resource.empty() ? "absent" : resource) + ", expected " + t.resource);
    std::vector<std::string> servers;
    auto it = doc.find("authorization_servers");
    if (it != doc.end() && it->is_array())
        for (const auto &s : *it)
            if (s.is_string()) servers.push_back(s.get<std::string>());
    auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    if (sorted(servers) != sorted(t.authorization_servers)) {
        nlohmann::json got = servers, want = t.authorization_servers;
        problems.push_back("authorization_servers is " + got.dump() + ", expected " + want.dump());
    }
    if (!problems.empty()) {
        std::string detail = url + ": ";
        for (size_t i = 0; i < problems.size(); ++i) detail += (i ? "; " : "") + problems[i];
        report.fail("probe", detail,
                    "the running server uses another configuration than this one: restart it with this environment, "
                    "or check " + t.base_url_setting + " and the MCP path (--path)");
        return;
    }
    report.ok("probe", url + ": resource " + resource + " and authorization_servers match");
}

} // namespace fastmcp::cli::doctor
