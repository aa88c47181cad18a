// The loaded provider: an RAII handle that keeps the dlopen'ed module alive while the provider
// instance exists. Destruction calls desc().destroy(instance()) and then releases the module
// (dlclose once nothing else holds it).
//
//   auto env = fastmcp::env::Environment::from_process();
//   fastmcp::host::HostServices services;               // must outlive the handle
//   auto provider = fastmcp::loader::load_provider(env, fastmcp::loader::default_search_path(env),
//                                                  services.api());
//   if (!provider) { /* FASTMCP_SERVER_AUTH unset: no auth */ }
//   fastmcp::plugin::Verdict v = provider->verify(token);
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/env/environment.hpp"
#include "fastmcp/loader/load_error.hpp"
#include "fastmcp/loader/module.hpp"
#include "fastmcp/loader/path_trust.hpp"
#include "fastmcp/loader/resolve.hpp"
#include "fastmcp/loader/settings.hpp"
#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::loader {

class ProviderHandle {
public:
    ~ProviderHandle(); // destroy(instance), then the module reference is dropped
    ProviderHandle(const ProviderHandle &) = delete;
    ProviderHandle &operator=(const ProviderHandle &) = delete;

    const fastmcp_provider_desc &desc() const { return *desc_; }
    void *instance() const { return instance_; }
    const std::string &provider_name() const { return provider_name_; }
    const std::string &module_path() const { return module_->path(); }
    std::string module_name() const { return module_->name(); }
    const std::shared_ptr<Module> &module() const { return module_; }

    // The settings passed to create() (contains secrets: never print; use masked_settings()).
    const nlohmann::json &settings() const { return settings_.values; }
    nlohmann::json masked_settings() const { return settings_.masked(); }
    const std::map<std::string, std::string> &sources() const { return settings_.sources; }
    const std::vector<std::string> &warnings() const { return settings_.warnings; }
    const Settings &settings_detail() const { return settings_; }

    // Thread-safe (the provider's verify is). A non-zero return or a missing callback from the
    // provider becomes an INTERNAL_ERROR rejection: never "allow".
    plugin::Verdict verify(std::string_view token) const;
    // The provider's describe() JSON text; throws std::runtime_error if describe fails.
    std::string describe_json() const;
    // true when the provider served the route (and `out` was filled).
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) const;

private:
    friend std::unique_ptr<ProviderHandle> create_provider(std::shared_ptr<Module>,
                                                           const fastmcp_provider_desc &,
                                                           Settings, const fastmcp_host_api *);
    ProviderHandle() = default;
    std::shared_ptr<Module> module_;
    const fastmcp_provider_desc *desc_ = nullptr;
    void *instance_ = nullptr;
    std::string provider_name_;
    Settings settings_;
};

// Calls desc.create with settings.values. Throws LoadError(CreateFailed) with the provider's
// message (exceptions inside a C++ provider are turned into that message by provider.hpp).
std::unique_ptr<ProviderHandle> create_provider(std::shared_ptr<Module> module,
                                                const fastmcp_provider_desc &desc,
                                                Settings settings, const fastmcp_host_api *host);

// Picks the provider named by `resolved` (or the module's only one). Throws LoadError
// (UnknownClass listing the module's classes, AmbiguousModule).
const fastmcp_provider_desc &select_provider(const Module &module, const Resolved &resolved);

// The whole pipeline: FASTMCP_SERVER_AUTH from `env` -> resolve on `search_path` -> dlopen + ABI
// checks -> settings from the schema -> create(host). Returns nullptr when FASTMCP_SERVER_AUTH is
// unset (no auth). An empty or invalid value, or any failure, throws LoadError; never "no auth".
// `host` must outlive the returned handle.
std::unique_ptr<ProviderHandle> load_provider(const env::Environment &env,
                                              const std::vector<std::string> &search_path,
                                              const fastmcp_host_api *host);

// Every module (*.so) found on the search path, first directory wins for a given file name.
// Modules that fail to open (untrusted paths included) are reported in `errors` ("path: message")
// rather than thrown.
std::vector<std::shared_ptr<Module>> scan_modules(const std::vector<std::string> &search_path,
                                                  std::vector<std::string> *errors = nullptr,
                                                  bool allow_unsafe_path = false);

} // namespace fastmcp::loader
