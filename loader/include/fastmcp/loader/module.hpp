// A dlopen'ed provider module: RAII over the handle, with its validated descriptor.
#pragma once

#include "fastmcp/auth_plugin.h"

#include <memory>
#include <string>
#include <vector>

namespace fastmcp::loader {

// Field i of a provider's schema. Steps by the module's own struct_size, so a module built against a
// later minor (with appended fields) is read correctly. Use this, never desc.fields[i].
const fastmcp_setting_field &provider_field(const fastmcp_provider_desc &desc, size_t i);

class Module {
public:
    // Trust check (path_trust.hpp) + dlopen(RTLD_NOW|RTLD_LOCAL) of the checked real path + entry
    // symbol + ABI checks. Throws LoadError (UntrustedPath, FileNotFound, DlopenFailed,
    // MissingEntrySymbol, AbiMismatch, BadDescriptor). With allow_unsafe_path an untrusted path is
    // loaded and trust_warning() says why it would have been refused.
    static std::shared_ptr<Module> open(const std::string &path, bool allow_unsafe_path = false);
    ~Module(); // dlclose
    Module(const Module &) = delete;
    Module &operator=(const Module &) = delete;

    const std::string &path() const { return path_; }
    // Non-empty when the module was loaded only because the unsafe-path override was set.
    const std::string &trust_warning() const { return trust_warning_; }
    const fastmcp_auth_module &descriptor() const { return *module_; }
    std::string name() const;
    std::vector<const fastmcp_provider_desc *> providers() const;
    // nullptr when the module has no provider of that name.
    const fastmcp_provider_desc *find(const std::string &class_name) const;

private:
    Module(std::string path, void *handle, const fastmcp_auth_module *module);
    std::string path_;
    std::string trust_warning_;
    void *handle_ = nullptr;
    const fastmcp_auth_module *module_ = nullptr;
};

} // namespace fastmcp::loader
