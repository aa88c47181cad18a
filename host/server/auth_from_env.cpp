#include "auth_from_env.hpp"

#include "fastmcp/loader.hpp"
#include "fastmcp/provider_backend.hpp"
#include "fastmcp/server.hpp"
#include "host_services.hpp"

#include <optional>

namespace fastmcp::host {
namespace {

// Keeps the services the provider was created with alive as long as the provider, and destroys the
// provider first.
struct LoadedProvider {
    std::unique_ptr<HostServices> services;
    std::unique_ptr<loader::ProviderHandle> handle;
    ~LoadedProvider() { handle.reset(); }
};

} // namespace

std::shared_ptr<const AuthBackend> auth_from_environment(const std::string &env_file, const std::string &mcp_path,
                                                         const std::string &bind_host, bool bind_is_loopback) {
    try {
        auto env = env::Environment::from_process(env_file.empty() ? std::nullopt : std::optional<std::string>(env_file));
        HostServices::Options options;
        options.mcp_path = mcp_path;
        options.bind_host = bind_host;
        options.bind_is_loopback = bind_is_loopback;
        auto loaded = std::make_shared<LoadedProvider>();
        loaded->services = std::make_unique<HostServices>(std::move(options));
        loaded->handle = loader::load_provider(env, loader::default_search_path(env), loaded->services->api());
        if (!loaded->handle) return nullptr;
        for (const auto &w : loaded->handle->warnings()) log_message(FASTMCP_LOG_WARNING, w);
        const auto &h = *loaded->handle;
        auto backend = std::make_shared<ProviderBackend>(&h.desc(), h.instance(), loaded);
        log_message(FASTMCP_LOG_INFO, "auth provider " + h.provider_name() + " from " + h.module_path() +
                                          " protects " + backend->info().resource);
        return backend;
    } catch (const StartupError &) {
        throw;
    } catch (const std::exception &e) {
        throw StartupError(std::string("auth configuration error: ") + e.what());
    }
}

} // namespace fastmcp::host
