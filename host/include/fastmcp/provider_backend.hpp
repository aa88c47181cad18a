// Adapts a provider loaded through the plugin ABI (descriptor + instance) to AuthBackend.
// Nothing here loads or unloads anything: the owner of the loaded module (the loader's handle)
// must outlive this object; `keep_alive` lets the caller tie that lifetime to the backend.
#pragma once

#include "fastmcp/auth_backend.hpp"

#include <memory>
#include <mutex>

namespace fastmcp {

class ProviderBackend final : public AuthBackend {
public:
    // Calls describe() once; throws std::runtime_error when the provider cannot describe itself.
    ProviderBackend(const fastmcp_provider_desc *desc, void *instance,
                    std::shared_ptr<const void> keep_alive = nullptr);

    AuthVerdict verify(std::string_view token) const override;
    std::optional<AuthVerdict> verify_cached(std::string_view token) const override;
    const AuthInfo &info() const override { return info_; }
    // "Name (/path/module.so)": how logs and the fatal-signal line name this provider.
    const std::string &label() const { return label_; }
    std::optional<RouteResponse> handle_route(const RouteRequest &request) const override;
    // Calls describe() again, one caller at a time (the ABI allows no concurrent describe).
    std::string live_describe_json() const override;

private:
    const fastmcp_provider_desc *desc_;
    void *instance_;
    std::shared_ptr<const void> keep_alive_;
    AuthInfo info_;
    std::string label_;
    mutable std::mutex describe_mutex_;
};

// Parses a provider's describe() document into AuthInfo (throws std::runtime_error on bad JSON).
AuthInfo parse_auth_info(std::string_view describe_json);

} // namespace fastmcp
