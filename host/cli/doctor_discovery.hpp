// The `discovery` and `registration` steps of `auth doctor`: the issuer's authorization-server
// metadata (RFC 8414 / OpenID discovery) is reachable and names the issuer the configuration
// expects; for AuthKit, it also advertises Dynamic Client Registration and PKCE S256.
#pragma once

#include "doctor_http.hpp"
#include "doctor_report.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace fastmcp::cli::doctor {

struct DiscoveryTarget {
    std::string provider;                   // "AuthKitProvider", for messages
    std::string expected_issuer;            // empty: none configured (JWTVerifier without ISSUER)
    std::string issuer_setting;             // the variable that sets it, e.g. ..._AUTHKIT_DOMAIN
    std::string issuer_setting_value;       // its value as configured (shown in messages)
    std::vector<std::string> metadata_urls; // tried in order; the first JSON answer is used
    bool metadata_required = false;         // AuthKit: the provider depends on it (else: warn)
    std::string configured_jwks_uri;        // compared with the metadata's jwks_uri (warn)
    std::string default_jwks_uri;           // used when the metadata names none
};

struct DiscoveryResult {
    std::optional<nlohmann::json> metadata;
    std::string metadata_url;
    std::string jwks_uri; // the keys to check next (metadata's, else configured, else default)
};

// Adds the `discovery` step.
DiscoveryResult check_discovery(const DiscoveryTarget &target, const Http &http, Report &report);

// Adds the `registration` step from AuthKit's metadata: registration_endpoint and S256.
void check_registration(const nlohmann::json &metadata, const std::string &metadata_url, Report &report);

// IntrospectionTokenVerifier's `discovery` step: the endpoint answers HTTP at all.
void check_introspection_endpoint(const std::string &url, const std::string &url_setting, const Http &http,
                                  Report &report);

} // namespace fastmcp::cli::doctor
