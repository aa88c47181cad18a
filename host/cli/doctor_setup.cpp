#include "doctor_setup.hpp"

#include "fastmcp/env/error.hpp"

#include <map>

namespace fastmcp::cli::doctor {

std::string fix_for(loader::ErrorKind kind) {
    using K = loader::ErrorKind;
    switch (kind) {
    case K::InvalidValue:
        return "use one of the forms fastmcp.server.auth.providers.<module>.<Class>, path/to/module.so:Class, "
               "path/to/module.so, module:Class (docs/configuration.md)";
    case K::UnknownModule:
        return "run `fastmcp providers` to see the modules on the search path, or add the directory holding the "
               "module to FASTMCP_PROVIDER_PATH";
    case K::FileNotFound: return "check the path (a relative path is resolved from the working directory)";
    case K::DlopenFailed: return "the module or a library it needs did not load: check it with `ldd`";
    case K::MissingEntrySymbol: return "this file is not a fastmcp provider module (no fastmcp_auth_module symbol)";
    case K::AbiMismatch: return "rebuild the module against this fastmcp's plugin_api, or use the fastmcp it was built for";
    case K::BadDescriptor: return "the module is malformed: rebuild it against this fastmcp's plugin_api";
    case K::UnknownClass:
    case K::AmbiguousModule: return "name one of the classes listed above, e.g. module.so:Class";
    case K::SettingsInvalid:
        return "set or correct the variable named above; `fastmcp providers` lists every setting with its type "
               "and an example";
    case K::CreateFailed: return "the provider refused these settings: correct the variable its message names";
    case K::EnvFileError: return "fix the file or line named above (.env syntax: docs/configuration.md)";
    case K::UntrustedPath:
        return "make the module and every directory above it writable only by you or root (see the chmod/chown "
               "in the message)";
    }
    return "see docs/configuration.md";
}

Setup run_setup_steps(const std::optional<std::string> &env_file, const fastmcp_host_api *host, Report &report) {
    Setup setup;
    auto skip_rest = [&](const std::string &why) {
        report.skip("provider", why);
        report.skip("settings", why);
    };

    // env_file
    try {
        setup.environment = env::Environment::from_process(env_file);
    } catch (const env::EnvError &e) {
        report.fail("env_file", e.what(),
                    env_file ? "check the file given to --env-file: " + fix_for(loader::ErrorKind::EnvFileError)
                             : "check FASTMCP_ENV_FILE / ./.env: " + fix_for(loader::ErrorKind::EnvFileError));
        skip_rest("the env file could not be read");
        return setup;
    }
    const auto auth = setup.environment.get(loader::kServerAuthVariable);
    if (const auto &file = setup.environment.file()) {
        report.ok("env_file", "read " + file->path + " (" + std::to_string(file->entries.size()) + " variable" +
                                  (file->entries.size() == 1 ? "" : "s") + ")");
    } else if (auth) {
        report.ok("env_file", "no .env file; FASTMCP_SERVER_AUTH comes from the process environment");
    } else {
        report.warn("env_file", "no .env file (./.env absent, FASTMCP_ENV_FILE unset) and FASTMCP_SERVER_AUTH is not "
                                "in the environment",
                    "pass --env-file FILE, set FASTMCP_ENV_FILE, or run from the directory that holds .env");
    }

    // provider
    if (!auth) {
        report.fail("provider", "FASTMCP_SERVER_AUTH is not set: the server would run WITHOUT authentication",
                    "set FASTMCP_SERVER_AUTH, e.g. fastmcp.server.auth.providers.workos.AuthKitProvider "
                    "(`fastmcp providers` lists what is installed)");
        report.skip("settings", "no provider");
        return setup;
    }
    // The loader's own pipeline, so the doctor never disagrees with `fastmcp run`; its error kind
    // says which step failed.
    try {
        setup.provider = loader::load_provider(setup.environment, loader::default_search_path(setup.environment), host);
    } catch (const loader::LoadError &e) {
        const std::string detail = std::string(loader::error_kind_name(e.kind())) + ": " + e.what();
        if (e.kind() != loader::ErrorKind::SettingsInvalid && e.kind() != loader::ErrorKind::CreateFailed) {
            report.fail("provider", detail, fix_for(e.kind()));
            report.skip("settings", "no provider");
            return setup;
        }
        std::string where;
        try {
            where = " from " + loader::resolve(auth->value, loader::default_search_path(setup.environment)).module_path;
        } catch (const std::exception &) {
        }
        report.ok("provider", auth->value + where);
        report.fail("settings", detail, fix_for(e.kind()));
        return setup;
    }
    const auto &m = setup.provider->module()->descriptor();
    report.ok("provider", setup.provider->provider_name() + " from " + setup.provider->module_path() + " (module " +
                              setup.provider->module_name() + " " + (m.module_version ? m.module_version : "?") +
                              ", ABI " + std::to_string(m.abi_major) + "." + std::to_string(m.abi_minor) + ")");

    // settings
    std::map<std::string, size_t> by_source;
    for (const auto &[field, source] : setup.provider->sources()) {
        const auto colon = source.rfind(':');
        ++by_source[colon == std::string::npos ? source : source.substr(0, colon)];
    }
    std::string sources;
    for (const auto &[source, n] : by_source)
        sources += (sources.empty() ? "" : ", ") + std::to_string(n) + (source == "default" ? " defaults" : " from " + source);
    const auto &warnings = setup.provider->warnings();
    const std::string detail = std::to_string(setup.provider->sources().size()) + " settings valid (" + sources + ")";
    if (warnings.empty()) {
        report.ok("settings", detail);
    } else {
        std::string all;
        bool did_you_mean = false;
        for (const auto &w : warnings) {
            all += (all.empty() ? "" : "; ") + w;
            did_you_mean = did_you_mean || w.find("did you mean") != std::string::npos;
        }
        report.warn("settings", detail + "; " + all,
                    did_you_mean ? "rename the misspelt variable(s) as suggested; an ignored variable keeps its default"
                                 : "review the notes above");
    }
    return setup;
}

} // namespace fastmcp::cli::doctor
