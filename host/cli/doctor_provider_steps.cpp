#include "doctor_provider_steps.hpp"

#include "doctor_audience.hpp"
#include "doctor_discovery.hpp"
#include "doctor_jwks.hpp"
#include "doctor_probe.hpp"

namespace fastmcp::cli::doctor {
namespace {

using nlohmann::json;

std::string str(const json &j, const char *key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json &j, const char *key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it != j.end() && it->is_array())
        for (const auto &v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// An OAuth proxy module (OIDCProxy, GitHubProvider, GoogleProvider, WorkOSProvider): the proxy is the authorization server its
// clients see (it serves DCR itself), so the checks are about the upstream it signs users in at.
void check_oauth_proxy_upstream(const json &upstream, const std::string &prefix, const Http &http, Report &report) {
    const std::string kind = str(upstream, "kind");
    if (kind == "oidc") {
        const std::string config_url = str(upstream, "config_url");
        JsonDocument doc = get_json(http, config_url);
        if (!doc.json) {
            report.fail("discovery", "the upstream's OIDC discovery " + config_url + " failed: " + doc.error,
                        "check " + prefix + "CONFIG_URL: it must be the provider's .well-known/openid-configuration");
            report.skip("jwks", "discovery failed");
        } else {
            const json &m = *doc.json;
            const std::string issuer = str(m, "issuer");
            if (issuer.empty() || str(m, "authorization_endpoint").empty() || str(m, "token_endpoint").empty()) {
                report.fail("discovery", config_url + " lacks issuer, authorization_endpoint or token_endpoint",
                            "check " + prefix + "CONFIG_URL: it must be an OpenID Connect discovery document");
                report.skip("jwks", "discovery failed");
            } else {
                report.ok("discovery", "upstream " + issuer + " (authorization " + str(m, "authorization_endpoint") +
                                           ", token " + str(m, "token_endpoint") + ")");
                JwksTarget j;
                j.jwks_uri = str(m, "jwks_uri");
                j.uri_source = "the jwks_uri in " + config_url + " (verifies the upstream's id_token)";
                if (j.jwks_uri.empty()) report.warn("jwks", "the upstream names no jwks_uri: users are identified through userinfo",
                                         "check that the upstream offers a userinfo_endpoint, or fix its discovery document");
                else check_jwks(j, http, report);
            }
        }
    } else {
        report.ok("discovery", "upstream " + kind + ": authorization " + str(upstream, "authorization_endpoint") +
                                   ", token " + str(upstream, "token_endpoint"));
        // Where the opaque tokens are checked: Google's tokeninfo, else userinfo, else GitHub's /user.
        std::string check = str(upstream, "tokeninfo_endpoint");
        if (check.empty()) check = str(upstream, "userinfo_endpoint");
        if (check.empty()) check = str(upstream, "api_base_url") + "/user";
        report.skip("jwks", "the upstream's tokens are opaque: checked at " + check + ", not against keys");
    }
    report.ok("registration", "the proxy serves Dynamic Client Registration and Client ID Metadata Documents itself; "
                              "the upstream client is fixed (" +
                                  prefix + "CLIENT_ID)");
}

} // namespace

void run_provider_steps(const loader::ProviderHandle &provider, const ProviderStepOptions &o, Report &report) {
    const std::string name = provider.provider_name();
    const std::string prefix = provider.desc().env_prefix;
    const json settings = provider.masked_settings(); // the doctor only ever needs non-secret values
    json describe = json::object();
    try {
        describe = json::parse(provider.describe_json());
    } catch (const std::exception &) {
    }
    const json health = describe.contains("health") && describe["health"].is_object() ? describe["health"] : json::object();
    const bool is_authkit = name == "AuthKitProvider";
    const std::string issuer = str(describe, "issuer");
    const std::string jwks_uri = str(health, "jwks_uri");

    // discovery + jwks + registration
    if (describe.contains("upstream") && describe["upstream"].is_object()) {
        check_oauth_proxy_upstream(describe["upstream"], prefix, o.http, report);
    } else if (name == "IntrospectionTokenVerifier") {
        check_introspection_endpoint(str(settings, "introspection_url"), prefix + "INTROSPECTION_URL", o.http, report);
        report.skip("jwks", name + " sends opaque tokens to the introspection endpoint: no keys to check");
        report.skip("registration", "only AuthKit's metadata is checked for Dynamic Client Registration");
    } else if (is_authkit || !jwks_uri.empty()) {
        DiscoveryTarget t;
        t.provider = name;
        if (is_authkit) {
            const std::string domain = str(settings, "authkit_domain");
            t.expected_issuer = domain;
            t.issuer_setting = prefix + "AUTHKIT_DOMAIN";
            t.issuer_setting_value = domain;
            t.metadata_urls = {domain + "/.well-known/oauth-authorization-server"};
            t.metadata_required = true;
            t.default_jwks_uri = domain + "/oauth2/jwks";
        } else {
            t.expected_issuer = issuer;
            const bool supabase = name == "SupabaseProvider";
            t.issuer_setting = prefix + (supabase ? "PROJECT_URL" : "ISSUER");
            t.issuer_setting_value = supabase ? str(settings, "project_url") : issuer;
            if (!issuer.empty())
                t.metadata_urls = {issuer + "/.well-known/openid-configuration",
                                   issuer + "/.well-known/oauth-authorization-server"};
            t.configured_jwks_uri = jwks_uri;
        }
        DiscoveryResult d;
        if (t.metadata_urls.empty()) {
            d.jwks_uri = jwks_uri;
            report.warn("discovery", "no issuer is configured: tokens from any issuer holding these keys are accepted",
                        "set " + t.issuer_setting + " to the issuer your tokens carry in iss");
        } else {
            d = check_discovery(t, o.http, report);
        }
        if (!report.passed("discovery")) {
            report.skip("jwks", "discovery failed");
        } else {
            JwksTarget j;
            j.jwks_uri = d.jwks_uri;
            j.algorithms = strings(describe, "algorithms");
            j.algorithm_setting = is_authkit ? std::string() : prefix + "ALGORITHM";
            j.uri_source = is_authkit                   ? "the jwks_uri in " + t.metadata_urls.front()
                           : name == "SupabaseProvider" ? prefix + "PROJECT_URL (keys at {PROJECT_URL}/auth/v1/.well-known/jwks.json)"
                           : settings.contains("jwks_uri") ? prefix + "JWKS_URI"
                                                           : std::string();
            check_jwks(j, o.http, report);
        }
        if (!is_authkit) report.skip("registration", "only AuthKit's metadata is checked for Dynamic Client Registration");
        else if (!report.passed("discovery") || !d.metadata) report.skip("registration", "discovery failed");
        else check_registration(*d.metadata, d.metadata_url, report);
    } else {
        const std::string why = name == "StaticTokenVerifier" ? "static tokens have no issuer or keys"
                                                              : name + " uses locally configured keys";
        report.skip("discovery", why);
        report.skip("jwks", why);
        report.skip("registration", "only AuthKit's metadata is checked for Dynamic Client Registration");
    }

    // audience
    if (!describe.contains("audience_check")) {
        report.skip("audience", name + " does not check a token audience");
    } else {
        AudienceFacts f;
        f.provider = name;
        f.env_prefix = prefix;
        f.base_url = str(settings, "base_url");
        f.base_url_raw = o.base_url_raw;
        f.mcp_path = o.mcp_path;
        f.resource = str(describe, "resource");
        f.audience_check = describe["audience_check"] == true;
        f.audiences = strings(describe, "audiences");
        f.audience_configured = settings.contains("audience");
        if (name == "SupabaseProvider") f.conventional = {"authenticated"};
        check_audience(f, report);
    }

    // probe
    if (!o.probe) return;
    const std::string base_url = str(settings, "base_url");
    if (base_url.empty() || str(describe, "resource").empty()) {
        report.skip("probe", "no BASE_URL: " + name + " serves no protected-resource metadata");
        return;
    }
    ProbeTarget p;
    p.base_url = base_url;
    p.mcp_path = o.mcp_path;
    p.base_url_setting = prefix + "BASE_URL";
    p.resource = str(describe, "resource");
    p.authorization_servers = strings(describe, "authorization_servers");
    check_probe(p, o.http, report);
}

} // namespace fastmcp::cli::doctor
