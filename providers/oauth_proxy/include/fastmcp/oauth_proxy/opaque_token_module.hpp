// What GoogleProvider and WorkOSProvider share when they read their settings: the common proxy
// settings, FastMCP's TIMEOUT_SECONDS (it wins over HTTP_TIMEOUT), TOKEN_CHECK_TTL, then an
// OpaqueTokenUpstream on the endpoints the module derives, and the opened store.
#pragma once

#include "fastmcp/oauth_proxy/opaque_token_upstream.hpp"
#include "fastmcp/oauth_proxy/proxy_settings.hpp"

#include <functional>

namespace fastmcp::oauth_proxy {

using DeriveEndpoints =
    std::function<OpaqueTokenEndpoints(const jwt::SettingsReader &, ProxySettings &)>;

inline ProxyParts read_opaque_token_module(plugin::Host host, std::string_view json,
                                           const char *env_prefix, const char *provider_name,
                                           const DeriveEndpoints &derive) {
    ProxyParts p;
    p.settings = read_proxy_settings(json, env_prefix, provider_name);
    jwt::SettingsReader s(json, env_prefix);
    if (s.has("timeout_seconds"))
        p.settings.client.timeout_ms =
            static_cast<uint32_t>(s.duration_ms("timeout_seconds", 10'000));
    const OpaqueTokenEndpoints endpoints = derive(s, p.settings);
    const int64_t check_ttl_s = s.duration_ms("token_check_ttl", 300'000) / 1000;
    p.upstream =
        std::make_unique<OpaqueTokenUpstream>(host, endpoints, p.settings.client, check_ttl_s);
    p.store = open_proxy_store(p.settings, env_prefix);
    return p;
}

} // namespace fastmcp::oauth_proxy
