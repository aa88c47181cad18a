#include "fastmcp/loader/module.hpp"

#include "fastmcp/loader/load_error.hpp"
#include "fastmcp/loader/path_trust.hpp"

#include <cstddef>
#include <dlfcn.h>
#include <set>

namespace fastmcp::loader {
namespace {

std::string version(uint32_t major, uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

[[noreturn]] void bad(const std::string &path, const std::string &what) {
    throw LoadError(ErrorKind::BadDescriptor, path + ": malformed module descriptor: " + what);
}

void check_provider(const std::string &path, const fastmcp_provider_desc *p, size_t index) {
    const std::string where = "provider #" + std::to_string(index);
    if (!p) bad(path, where + " is NULL");
    if (p->struct_size < sizeof(fastmcp_provider_desc))
        bad(path, where + " struct_size " + std::to_string(p->struct_size) + " < " +
                      std::to_string(sizeof(fastmcp_provider_desc)));
    if (!p->name || !*p->name) bad(path, where + " has no name");
    if (!p->env_prefix || !*p->env_prefix) bad(path, std::string(p->name) + " has no env_prefix");
    if (!p->create || !p->destroy || !p->verify || !p->describe || !p->handle_route)
        bad(path, std::string(p->name) + " lacks a create/destroy/verify/describe/handle_route function");
    if (p->field_count && !p->fields) bad(path, std::string(p->name) + " has field_count but no fields");
    if (p->field_count && p->fields[0].struct_size < sizeof(fastmcp_setting_field))
        bad(path, std::string(p->name) + " field struct_size too small");
    for (size_t i = 0; i < p->field_count; ++i) {
        const auto &f = provider_field(*p, i);
        if (!f.name || !*f.name) bad(path, std::string(p->name) + " field #" + std::to_string(i) + " has no name");
        if (f.type < FASTMCP_FIELD_STRING || f.type > FASTMCP_FIELD_JSON)
            bad(path, std::string(p->name) + " field " + f.name + " has unknown type " + std::to_string(f.type));
    }
}

} // namespace

const fastmcp_setting_field &provider_field(const fastmcp_provider_desc &d, size_t i) {
    const auto *base = reinterpret_cast<const unsigned char *>(d.fields);
    return *reinterpret_cast<const fastmcp_setting_field *>(base + i * d.fields[0].struct_size);
}

std::shared_ptr<Module> Module::open(const std::string &path, bool allow_unsafe_path) {
    std::string trust_warning;
    // dlopen the path that was checked: no component of it can be changed by another user.
    const std::string real = trusted_module_path(path, allow_unsafe_path, &trust_warning);
    dlerror();
    void *handle = ::dlopen(real.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *err = dlerror();
        throw LoadError(ErrorKind::DlopenFailed,
                        "dlopen failed for " + path + ": " + (err ? err : "unknown error"));
    }
    // From here on the handle is owned by the Module (closed on every error path).
    std::shared_ptr<Module> module(new Module(path, handle, nullptr));
    module->trust_warning_ = std::move(trust_warning);
    dlerror();
    void *sym = ::dlsym(handle, FASTMCP_AUTH_ENTRY_SYMBOL);
    if (!sym)
        throw LoadError(ErrorKind::MissingEntrySymbol,
                        path + ": not a fastmcp provider module: it does not export the entry symbol '" +
                            FASTMCP_AUTH_ENTRY_SYMBOL + "' (build it with FASTMCP_AUTH_MODULE(...))");
    auto entry = reinterpret_cast<fastmcp_auth_module_fn>(sym);
    const fastmcp_auth_module *m = entry();
    if (!m) bad(path, "the entry symbol returned NULL");
    if (m->abi_major != FASTMCP_AUTH_ABI_MAJOR)
        throw LoadError(ErrorKind::AbiMismatch,
                        path + ": plugin ABI mismatch: the module was built for ABI " +
                            version(m->abi_major, m->abi_minor) + " but this host speaks ABI " +
                            version(FASTMCP_AUTH_ABI_MAJOR, FASTMCP_AUTH_ABI_MINOR) +
                            "; rebuild the module against this host's fastmcp/auth_plugin.h");
    if (m->struct_size < sizeof(fastmcp_auth_module))
        bad(path, "struct_size " + std::to_string(m->struct_size) + " < " + std::to_string(sizeof(fastmcp_auth_module)));
    if (m->provider_count == 0 || !m->providers) bad(path, "the module exports no providers");
    std::set<std::string> names;
    for (size_t i = 0; i < m->provider_count; ++i) {
        check_provider(path, m->providers[i], i);
        if (!names.insert(m->providers[i]->name).second)
            bad(path, std::string("provider name ") + m->providers[i]->name + " appears twice");
    }
    module->module_ = m;
    return module;
}

Module::Module(std::string path, void *handle, const fastmcp_auth_module *module)
    : path_(std::move(path)), handle_(handle), module_(module) {}

Module::~Module() {
    if (handle_) ::dlclose(handle_);
}

std::string Module::name() const {
    return module_ && module_->module_name ? module_->module_name : std::string();
}

std::vector<const fastmcp_provider_desc *> Module::providers() const {
    std::vector<const fastmcp_provider_desc *> out;
    for (size_t i = 0; i < module_->provider_count; ++i) out.push_back(module_->providers[i]);
    return out;
}

const fastmcp_provider_desc *Module::find(const std::string &class_name) const {
    for (size_t i = 0; i < module_->provider_count; ++i)
        if (class_name == module_->providers[i]->name) return module_->providers[i];
    return nullptr;
}

} // namespace fastmcp::loader
