#include "doctor_discovery.hpp"

#include <algorithm>

namespace fastmcp::cli::doctor {
namespace {

bool is_http_url(const std::string &s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

std::string string_field(const nlohmann::json &doc, const char *name) {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string join(const std::vector<std::string> &v, const char *sep) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

} // namespace

DiscoveryResult check_discovery(const DiscoveryTarget &t, const Http &http, Report &report) {
    DiscoveryResult result;
    std::vector<std::string> errors;
    for (const auto &url : t.metadata_urls) {
        JsonDocument d = get_json(http, url);
        if (d.json) {
            result.metadata = std::move(d.json);
            result.metadata_url = url;
            break;
        }
        errors.push_back(url + ": " + d.error);
    }
    const std::string fallback_jwks = !t.configured_jwks_uri.empty() ? t.configured_jwks_uri : t.default_jwks_uri;

    if (!result.metadata) {
        result.jwks_uri = fallback_jwks;
        const std::string detail = "no authorization-server metadata: " + join(errors, "; ");
        if (t.metadata_required) {
            report.fail("discovery", detail,
                        "check " + t.issuer_setting + "=" + t.issuer_setting_value +
                            ": it must be your AuthKit domain exactly as the WorkOS Dashboard shows it "
                            "(Connect → Configuration, e.g. https://your-project-12345.authkit.app), "
                            "and this machine must be able to reach it");
        } else {
            report.warn("discovery", detail,
                        "optional for " + t.provider + " (keys come from " + fallback_jwks +
                            "); if your issuer publishes metadata, check " + t.issuer_setting);
        }
        return result;
    }

    const nlohmann::json &doc = *result.metadata;
    const std::string issuer = string_field(doc, "issuer");
    const std::string jwks = string_field(doc, "jwks_uri");
    result.jwks_uri = is_http_url(jwks) ? jwks : fallback_jwks;

    if (issuer.empty()) {
        report.fail("discovery", result.metadata_url + " has no \"issuer\"",
                    "this is not authorization-server metadata: check " + t.issuer_setting + "=" +
                        t.issuer_setting_value);
        return result;
    }
    if (t.expected_issuer.empty()) {
        report.warn("discovery", result.metadata_url + " names issuer " + issuer + ", but no issuer is configured",
                    "set " + t.issuer_setting + "=" + issuer + " so tokens from any other issuer are rejected");
        return result;
    }
    if (issuer != t.expected_issuer) {
        report.fail("discovery",
                    result.metadata_url + " names issuer " + issuer + ", but the configured issuer is " +
                        t.expected_issuer + " (" + t.issuer_setting + "=" + t.issuer_setting_value + ")",
                    "tokens carry iss=" + issuer + ": point " + t.issuer_setting +
                        " at the server that really issues them (for this metadata: " + issuer +
                        "), or fix the authorization server's issuer setting");
        return result;
    }
    if (!t.configured_jwks_uri.empty() && is_http_url(jwks) && jwks != t.configured_jwks_uri) {
        report.warn("discovery",
                    result.metadata_url + ": issuer " + issuer + " as configured, but its jwks_uri is " + jwks +
                        ", not the configured " + t.configured_jwks_uri,
                    "use the metadata's jwks_uri unless you mirror the keys on purpose");
        return result;
    }
    report.ok("discovery", result.metadata_url + ": issuer " + issuer + " as configured; jwks_uri " + result.jwks_uri);
    return result;
}

void check_registration(const nlohmann::json &doc, const std::string &metadata_url, Report &report) {
    std::vector<std::string> problems, fixes;
    const std::string registration = string_field(doc, "registration_endpoint");
    if (registration.empty()) {
        problems.push_back("Dynamic Client Registration is off: " + metadata_url +
                           " advertises no registration_endpoint, so MCP clients cannot register");
        fixes.push_back("enable Dynamic Client Registration in the WorkOS Dashboard (Connect → Configuration → "
                        "MCP Auth; older dashboards: Applications → Configuration)");
    }
    bool s256 = false;
    auto methods = doc.find("code_challenge_methods_supported");
    if (methods != doc.end() && methods->is_array())
        s256 = std::any_of(methods->begin(), methods->end(), [](const nlohmann::json &m) { return m == "S256"; });
    if (!s256) {
        problems.push_back("PKCE S256 is not advertised (code_challenge_methods_supported: " +
                           (methods != doc.end() ? methods->dump() : std::string("absent")) + ")");
        fixes.push_back("MCP clients must use PKCE with S256: the authorization server at this domain has to "
                        "advertise it; AuthKit does, so check that the domain is really your AuthKit domain");
    }
    if (!problems.empty()) {
        report.fail("registration", join(problems, "; "), join(fixes, "; "));
        return;
    }
    report.ok("registration", "registration_endpoint " + registration + "; PKCE S256 supported");
}

void check_introspection_endpoint(const std::string &url, const std::string &url_setting, const Http &http,
                                  Report &report) {
    // A bare POST without credentials: any HTTP answer (401 expected) proves the endpoint is there,
    // and no secret leaves this machine.
    plugin::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.timeout_ms = http.timeout_ms;
    request.max_response_bytes = 64 * 1024;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = "token=fastmcp-auth-doctor-probe";
    plugin::HttpResponse r;
    try {
        r = http.fetch(request);
    } catch (const std::exception &e) {
        r.status = 0;
        r.error = e.what();
    }
    if (r.status == 0) {
        report.fail("discovery", url + ": " + (r.error.empty() ? std::string("no response") : r.error),
                    "check " + url_setting + ": the introspection endpoint must be reachable from this machine");
    } else if (r.status == 404) {
        report.fail("discovery", url + " answered HTTP 404",
                    "check the path in " + url_setting + " (RFC 7662 endpoints are often /oauth2/introspect)");
    } else {
        report.ok("discovery", url + " reachable (HTTP " + std::to_string(r.status) + " to an unauthenticated probe)");
    }
}

} // namespace fastmcp::cli::doctor
