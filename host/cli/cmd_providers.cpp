// `fastmcp providers [--json] [--env-file F]`: every module on the provider search path with its
// providers, env prefixes and settings schema. Modules that fail to load are listed as errors.
#include "commands.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"
#include "fastmcp/loader.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>

namespace fastmcp::cli {
namespace {

using nlohmann::json;

json field_json(const fastmcp_provider_desc &d, size_t i) {
    const auto &f = loader::provider_field(d, i);
    const bool secret = f.flags & FASTMCP_FIELD_SECRET;
    json out = {{"name", f.name},
                {"variable", std::string(d.env_prefix) + f.name},
                {"type", env::field_type_name(f.type)},
                {"required", (f.flags & FASTMCP_FIELD_REQUIRED) != 0},
                {"secret", secret},
                {"default", f.default_value ? json(secret ? loader::kMask : f.default_value) : json(nullptr)},
                {"help", f.help ? f.help : ""}};
    if (f.example) out["example"] = secret ? loader::kMask : f.example;
    return out;
}

json module_json(const loader::Module &m) {
    const auto &d = m.descriptor();
    json providers = json::array();
    for (const auto *p : m.providers()) {
        json fields = json::array();
        for (size_t i = 0; i < p->field_count; ++i) fields.push_back(field_json(*p, i));
        providers.push_back({{"name", p->name},
                             {"fastmcp_name", loader::fastmcp_name(m.name(), p->name)},
                             {"env_prefix", p->env_prefix},
                             {"summary", p->summary ? p->summary : ""},
                             {"settings", fields}});
    }
    return {{"module", m.name()},
            {"version", d.module_version ? d.module_version : ""},
            {"path", m.path()},
            {"abi", std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
            {"providers", providers}};
}

} // namespace

int cmd_providers(const Args &args) {
    bool as_json = false;
    std::optional<std::string> env_file;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            as_json = true;
        } else if (args[i] == "--env-file" && i + 1 < args.size()) {
            env_file = args[++i];
        } else if (args[i] == "-h" || args[i] == "--help") {
            std::puts("usage: fastmcp providers [--json] [--env-file FILE]");
            return 0;
        } else {
            std::fprintf(stderr, "fastmcp providers: unknown option '%s'\nusage: fastmcp providers [--json] [--env-file FILE]\n",
                         args[i].c_str());
            return 2;
        }
    }
    env::Environment environment;
    try {
        environment = env::Environment::from_process(env_file); // FASTMCP_PROVIDER_PATH may be in .env
    } catch (const env::EnvError &e) {
        std::fprintf(stderr, "fastmcp providers: env_file_error: %s\n", e.what());
        return 2;
    }
    const auto search_path = loader::default_search_path(environment);
    std::vector<std::string> errors;
    const auto modules = loader::scan_modules(search_path, &errors, loader::allow_unsafe_provider_path(environment));

    if (as_json) {
        json mods = json::array();
        for (const auto &m : modules) mods.push_back(module_json(*m));
        json out = {{"search_path", search_path}, {"modules", mods}, {"errors", errors}};
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("search path:\n");
    for (const auto &d : search_path) std::printf("  %s\n", d.c_str());
    if (modules.empty()) std::printf("no provider modules found\n");
    for (const auto &m : modules) {
        const auto &d = m->descriptor();
        std::printf("\n%s %s  (%s, ABI %u.%u)\n", m->name().c_str(), d.module_version ? d.module_version : "",
                    m->path().c_str(), d.abi_major, d.abi_minor);
        for (const auto *p : m->providers()) {
            std::printf("  %s  FASTMCP_SERVER_AUTH=%s%s.%s\n", p->name, loader::kFastMcpPrefix, m->name().c_str(),
                        p->name);
            if (p->summary && *p->summary) std::printf("    %s\n", p->summary);
            for (size_t i = 0; i < p->field_count; ++i) {
                json f = field_json(*p, i);
                std::string flags = f["type"].get<std::string>();
                if (f["required"] == true) flags += ", required";
                if (f["secret"] == true) flags += ", secret";
                if (!f["default"].is_null()) flags += ", default " + f["default"].get<std::string>();
                std::printf("    %s%s  (%s)  %s\n", p->env_prefix, f["name"].get<std::string>().c_str(), flags.c_str(),
                            f["help"].get<std::string>().c_str());
            }
        }
    }
    if (!errors.empty()) {
        std::printf("\nmodules that failed to load:\n");
        for (const auto &e : errors) std::printf("  %s\n", e.c_str());
    }
    return 0;
}

} // namespace fastmcp::cli
