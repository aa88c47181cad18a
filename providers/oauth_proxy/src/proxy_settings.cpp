#include "fastmcp/oauth_proxy/proxy_settings.hpp"

namespace fastmcp::oauth_proxy {

ProxySettings read_proxy_settings(std::string_view settings_json, const std::string &env_prefix,
                                  const std::string &provider_name) {
    jwt::SettingsReader s(settings_json, env_prefix);
    const auto raw = nlohmann::json::parse(settings_json, nullptr, false);
    ProxySettings out;
    out.options.provider_name = provider_name;
    out.client.client_id = s.required_string("client_id");
    out.client.client_secret = s.required_string("client_secret");
    out.client.timeout_ms = static_cast<uint32_t>(s.duration_ms("http_timeout", 10'000));
    out.options.base_url = s.required_url("base_url", "http://localhost:8000");
    out.options.redirect_path = s.string("redirect_path").value_or("/auth/callback");
    if (out.options.redirect_path.empty() || out.options.redirect_path.front() != '/')
        s.fail("redirect_path", "must be a path starting with '/'");
    out.options.required_scopes = s.list("required_scopes");
    out.options.allowed_client_redirect_uris = s.list("allowed_client_redirect_uris");
    out.options.jwt_signing_key = s.string("jwt_signing_key").value_or("");
    if (raw.is_object()) {
        if (auto it = raw.find("require_authorization_consent"); it != raw.end() && it->is_boolean())
            out.options.require_consent = it->get<bool>();
        if (auto it = raw.find("cimd_allow_http_loopback"); it != raw.end() && it->is_boolean())
            out.options.cimd.allow_http_loopback = it->get<bool>();
    }
    out.store.storage = s.string("storage").value_or("");
    out.store.storage_encryption_key = s.string("storage_encryption_key").value_or("");
    // The store's key falls back to HKDF over JWT_SIGNING_KEY, and that (as FastMCP does) to the
    // client secret.
    out.store.jwt_signing_key =
        out.options.jwt_signing_key.empty() ? out.client.client_secret : out.options.jwt_signing_key;
    return out;
}

std::shared_ptr<StateStore> open_proxy_store(const ProxySettings &settings, const std::string &env_prefix) {
    try {
        return open_state_store(settings.store);
    } catch (const StoreError &e) {
        throw plugin::ConfigError(env_prefix + "STORAGE: " + e.what());
    }
}

} // namespace fastmcp::oauth_proxy
