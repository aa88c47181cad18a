// FASTMCP_SERVER_AUTH value -> module path + provider class name. Knows nothing of JWTs or HTTP.
#pragma once

#include "fastmcp/env/environment.hpp"

#include <string>
#include <vector>

namespace fastmcp::loader {

inline constexpr const char *kServerAuthVariable = "FASTMCP_SERVER_AUTH";
inline constexpr const char *kProviderPathVariable = "FASTMCP_PROVIDER_PATH";
inline constexpr const char *kFastMcpPrefix = "fastmcp.server.auth.providers.";

// FastMCP names whose Python module differs from ours: OIDCProxy lives outside FastMCP's providers
// package, and WorkOSProvider (an OAuth proxy) shares FastMCP's workos module with AuthKitProvider
// but is its own module here, so that workos.so does not carry the proxy core.
struct FastMcpAlias {
    const char *fastmcp_name;
    const char *module;
    const char *class_name;
};
inline constexpr FastMcpAlias kFastMcpAliases[] = {
    {"fastmcp.server.auth.oidc_proxy.OIDCProxy", "oidc_proxy", "OIDCProxy"},
    {"fastmcp.server.auth.providers.workos.WorkOSProvider", "workos_connect", "WorkOSProvider"},
};

// The name FastMCP gives a provider class of one of our modules (what `fastmcp providers` shows).
std::string fastmcp_name(const std::string &module, const std::string &class_name);

// FASTMCP_PROVIDER_PATH (colon-separated, empty entries skipped), then the install's providers
// directory: dirname(/proc/self/exe)/../lib/fastmcp/providers.
std::vector<std::string> default_search_path(const env::Environment &env);
// dirname(/proc/self/exe)/../lib/fastmcp/providers (normalised).
std::string install_provider_dir();

struct Resolved {
    std::string module_path; // an existing file
    std::string class_name;  // empty: the module's only provider
    std::vector<std::string> tried; // candidate paths looked at, in order
};

// Accepted forms:
//   fastmcp.server.auth.providers.<module>.<Class>   (module looked up as <module>.so on the path)
//   path/to/module.so:Class    path/to/module.so
//   module:Class    module.Class                      (on the search path)
// Throws LoadError (InvalidValue, UnknownModule, FileNotFound).
Resolved resolve(const std::string &value, const std::vector<std::string> &search_path);

} // namespace fastmcp::loader
