// `fastmcp auth config [--env-file F] [--json] [--check] [--check-timeout S]`
// Loads .env, resolves and loads the provider, validates its settings and prints each value with
// its source (env, file:line, default). Secrets are masked. Without --check the provider gets a
// host whose HTTP fetch is disabled, so this command never touches the network.
// Exit codes: 0 valid, 1 --check found the provider not ready, 2 configuration error.
#include "commands.hpp"
#include "provider_log.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"
#include "fastmcp/loader.hpp"
#include "host_services.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

namespace fastmcp::cli {
namespace {

using nlohmann::json;

constexpr const char *kConfigUsage =
    "usage: fastmcp auth config [--env-file FILE] [--json] [--check] [--check-timeout SECONDS]\n";

struct ConfigOptions {
    std::optional<std::string> env_file;
    bool json = false;
    bool check = false;
    double check_timeout_s = 10.0;
};

int config_error(const std::string &kind, const std::string &message) {
    std::fprintf(stderr, "fastmcp auth config: %s: %s\n", kind.c_str(), message.c_str());
    return 2;
}

std::string display(const json &v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The provider's own describe() warnings, prefixed with its name.
void add_describe_warnings(const loader::ProviderHandle &h, const json &describe, json &warnings) {
    if (describe.is_object() && describe.contains("warnings") && describe["warnings"].is_array())
        for (const auto &w : describe["warnings"])
            warnings.push_back(h.provider_name() + ": " +
                               (w.is_string() ? w.get<std::string>() : w.dump()));
}

// Polls describe() until health.ready is true or the deadline passes; returns the last health.
json wait_until_ready(const loader::ProviderHandle &h, double timeout_s, json &describe) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    json health = {{"ready", false}, {"detail", "describe() reported no health"}};
    for (;;) {
        try {
            describe = json::parse(h.describe_json());
            if (describe.is_object() && describe.contains("health")) health = describe["health"];
        } catch (const std::exception &e) {
            health = {{"ready", false}, {"detail", std::string("describe failed: ") + e.what()}};
        }
        if (health.is_object() && health.value("ready", false) == true) return health;
        if (std::chrono::steady_clock::now() >= deadline) return health;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void print_human(const loader::ProviderHandle &h, const std::string &auth_value,
                 const json &warnings, const json *health, const std::vector<std::string> &logs) {
    const auto &d = h.desc();
    std::printf("provider:   %s (FASTMCP_SERVER_AUTH=%s)\n", d.name, auth_value.c_str());
    const auto &m = h.module()->descriptor();
    std::printf("module:     %s (%s %s, ABI %u.%u)\n", h.module_path().c_str(),
                h.module_name().c_str(), m.module_version ? m.module_version : "?", m.abi_major,
                m.abi_minor);
    std::printf("env prefix: %s\n", d.env_prefix);
    std::printf("settings:\n");
    const json masked = h.masked_settings();
    size_t width = 0;
    for (size_t i = 0; i < d.field_count; ++i)
        width = std::max(width, std::string(loader::provider_field(d, i).name).size());
    for (size_t i = 0; i < d.field_count; ++i) {
        const auto &f = loader::provider_field(d, i);
        std::string key = f.name;
        for (auto &c : key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = masked.contains(key) ? display(masked[key]) : "(not set)";
        std::string source = h.sources().count(key) ? h.sources().at(key) : "-";
        std::printf("  %-*s = %s  [%s%s]\n", static_cast<int>(width), f.name, value.c_str(),
                    source.c_str(), (f.flags & FASTMCP_FIELD_SECRET) ? ", secret" : "");
    }
    if (!warnings.empty()) {
        std::printf("warnings:\n");
        for (const auto &w : warnings)
            std::printf("  - %s\n", w.get<std::string>().c_str());
    }
    if (health) {
        std::printf("health:     %s\n", health->dump().c_str());
        if (!logs.empty()) {
            std::printf("provider log:\n");
            for (const auto &l : logs)
                std::printf("  %s\n", l.c_str());
        }
        std::printf("%s\n", health->value("ready", false) ? "config OK, provider ready"
                                                          : "config OK, provider NOT ready");
    } else {
        std::printf("config OK (network not contacted; use --check to probe the provider)\n");
    }
}

} // namespace

int cmd_auth_config(const Args &args) {
    ConfigOptions opt;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--json") {
            opt.json = true;
        } else if (a == "--check") {
            opt.check = true;
        } else if ((a == "--env-file" || a == "--check-timeout") && i + 1 < args.size()) {
            if (a == "--env-file") {
                opt.env_file = args[++i];
            } else {
                try {
                    opt.check_timeout_s = env::parse_duration(args[++i]);
                } catch (const std::exception &e) {
                    return config_error("usage", std::string("--check-timeout: ") + e.what());
                }
            }
        } else if (a == "-h" || a == "--help") {
            std::fputs(kConfigUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "fastmcp auth config: unknown option '%s'\n%s", a.c_str(),
                         kConfigUsage);
            return 2;
        }
    }

    env::Environment environment;
    try {
        environment = env::Environment::from_process(opt.env_file);
    } catch (const env::EnvError &e) {
        return config_error("env_file_error", e.what());
    }

    ProviderLog logs;
    host::HostServices::Options services_options;
    services_options.log = [&logs](fastmcp_log_level level, std::string_view m) {
        logs.add(level, m);
    };
    if (!opt.check)
        services_options.fetch = [](const plugin::HttpRequest &) {
            plugin::HttpResponse r;
            r.status = 0;
            r.error = "network disabled (use --check)";
            return r;
        };
    host::HostServices services(std::move(services_options));

    std::unique_ptr<loader::ProviderHandle> handle;
    try {
        handle = loader::load_provider(environment, loader::default_search_path(environment),
                                       services.api());
    } catch (const loader::LoadError &e) {
        return config_error(loader::error_kind_name(e.kind()), e.what());
    }

    if (!handle) {
        const char *note = "FASTMCP_SERVER_AUTH is not set: the server runs WITHOUT authentication";
        if (opt.json) {
            nlohmann::ordered_json out = {
                {"provider", nullptr},       {"module", nullptr},
                {"env_prefix", nullptr},     {"settings", json::object()},
                {"sources", json::object()}, {"warnings", json::array({note})}};
            std::printf("%s\n", out.dump(2).c_str());
        } else {
            std::printf("provider:   none\nwarning:    %s\n", note);
        }
        return 0;
    }

    json warnings = json::array();
    for (const auto &w : handle->warnings())
        warnings.push_back(w);
    json describe;
    json health;
    if (opt.check) {
        health = wait_until_ready(*handle, opt.check_timeout_s, describe);
    } else {
        try {
            describe = json::parse(handle->describe_json());
        } catch (const std::exception &e) {
            warnings.push_back(handle->provider_name() + ": describe failed: " + e.what());
        }
    }
    add_describe_warnings(*handle, describe, warnings);
    const bool ready = !opt.check || (health.is_object() && health.value("ready", false) == true);

    const std::vector<std::string> log_lines = logs.lines();
    const std::string auth_value = environment.get(loader::kServerAuthVariable)->value;
    if (opt.json) {
        json sources = json::object();
        for (const auto &[k, v] : handle->sources())
            sources[k] = v;
        // Key order is part of the documented output (docs/configuration.md).
        nlohmann::ordered_json out = {{"provider", handle->provider_name()},
                                      {"module", handle->module_path()},
                                      {"env_prefix", handle->desc().env_prefix},
                                      {"settings", handle->masked_settings()},
                                      {"sources", sources},
                                      {"warnings", warnings}};
        if (opt.check) out["health"] = health;
        std::printf("%s\n", out.dump(2).c_str());
    } else {
        print_human(*handle, auth_value, warnings, opt.check ? &health : nullptr, log_lines);
    }
    if (!ready) {
        std::fprintf(stderr, "fastmcp auth config: provider not ready after %.1f s: %s\n",
                     opt.check_timeout_s, health.dump().c_str());
        return 1;
    }
    return 0;
}

} // namespace fastmcp::cli
