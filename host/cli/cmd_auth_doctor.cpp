// `fastmcp auth doctor [--env-file F] [--json] [--probe] [--token <JWT|@file|->] [--timeout S]
//                      [--path /mcp]`
// Step-by-step diagnosis of the configured auth set-up, each step ok / warn / fail / skipped with a
// fix for anything not ok: env_file, provider, settings, discovery, jwks, registration, audience,
// then probe (with --probe) and token (with --token). A step whose prerequisite failed is skipped
// with the reason. Secrets and the token are never printed. Format: docs/auth-doctor.md.
// Exit codes: 0 no step failed (warnings allowed), 1 a step failed, 2 usage error.
#include "commands.hpp"

#include "doctor_provider_steps.hpp"
#include "doctor_report.hpp"
#include "doctor_setup.hpp"
#include "doctor_token.hpp"
#include "host_services.hpp"
#include "http_fetch.hpp"
#include "token_input.hpp"

#include "fastmcp/env/field_value.hpp"

#include <cstdio>
#include <optional>

namespace fastmcp::cli {
namespace {

constexpr const char *kDoctorUsage =
    "usage: fastmcp auth doctor [--env-file FILE] [--json] [--probe] [--token <JWT|@file|->]\n"
    "                           [--timeout SECONDS] [--path /mcp]\n"
    "  --probe        also fetch the running server's protected-resource metadata at BASE_URL\n"
    "  --token JWT    also verify this token (@file reads a file, - standard input); never "
    "printed\n"
    "  --timeout S    timeout of each request, and the longest wait for keys before --token "
    "(default 5)\n"
    "  --path P       the server's MCP path, as given to `fastmcp run --path` (default /mcp)\n";

struct DoctorOptions {
    std::optional<std::string> env_file;
    std::optional<std::string> token_arg;
    bool json = false;
    bool probe = false;
    double timeout_s = 5.0;
    std::string path = "/mcp";
};

int doctor_usage_error(const std::string &message) {
    std::fprintf(stderr, "fastmcp auth doctor: %s\n%s", message.c_str(), kDoctorUsage);
    return 2;
}

} // namespace

int cmd_auth_doctor(const Args &args) {
    DoctorOptions opt;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--json") {
            opt.json = true;
        } else if (a == "--probe") {
            opt.probe = true;
        } else if (a == "-h" || a == "--help") {
            std::fputs(kDoctorUsage, stdout);
            return 0;
        } else if ((a == "--env-file" || a == "--token" || a == "--timeout" || a == "--path") &&
                   i + 1 < args.size()) {
            const std::string &v = args[++i];
            if (a == "--env-file")
                opt.env_file = v;
            else if (a == "--token")
                opt.token_arg = v;
            else if (a == "--path")
                opt.path = v;
            else {
                try {
                    opt.timeout_s = env::parse_duration(v);
                } catch (const std::exception &e) {
                    return doctor_usage_error(std::string("--timeout: ") + e.what());
                }
                if (opt.timeout_s <= 0) return doctor_usage_error("--timeout: must be positive");
            }
        } else if (a.rfind("--token=", 0) == 0) {
            opt.token_arg = a.substr(8);
        } else {
            return doctor_usage_error("unknown option '" + a + "'");
        }
    }
    if (opt.path.empty() || opt.path[0] != '/')
        return doctor_usage_error("--path must start with '/'");
    std::string token;
    if (opt.token_arg) {
        try {
            TokenInput input = read_token(*opt.token_arg);
            if (input.too_large) return doctor_usage_error("the token input is larger than 64 KiB");
            token = std::move(input.token);
        } catch (const std::exception &e) {
            return doctor_usage_error(e.what());
        }
        if (token.empty()) return doctor_usage_error("the token is empty");
    }

    // Provider log lines are dropped: the report says what matters, and they may repeat it.
    host::HostServices::Options services_options;
    services_options.log = [](fastmcp_log_level, std::string_view) {};
    services_options.mcp_path = opt.path;
    host::HostServices services(std::move(services_options));

    doctor::Report report;
    doctor::Setup setup = doctor::run_setup_steps(opt.env_file, services.api(), report);
    if (setup.provider) {
        doctor::ProviderStepOptions o;
        o.http.fetch = [](const plugin::HttpRequest &r) { return host::http_fetch(r); };
        o.http.timeout_ms = static_cast<uint32_t>(opt.timeout_s * 1000);
        o.mcp_path = opt.path;
        o.probe = opt.probe;
        if (auto raw =
                setup.environment.get(std::string(setup.provider->desc().env_prefix) + "BASE_URL"))
            o.base_url_raw = raw->value;
        doctor::run_provider_steps(*setup.provider, o, report);
    } else {
        std::string why = "no provider loaded";
        for (const auto &s : report.steps())
            if (s.status == doctor::Status::Fail) {
                why = s.id + " failed";
                break;
            }
        for (const char *id : {"discovery", "jwks", "registration", "audience"})
            report.skip(id, why);
        if (opt.probe) report.skip("probe", why);
    }
    if (opt.token_arg) {
        if (!setup.provider)
            report.skip("token", report.find("discovery")->detail);
        else if (const auto *jwks = report.find("jwks");
                 jwks && jwks->status == doctor::Status::Fail)
            report.skip("token", "the provider has no usable keys (see the jwks step)");
        else
            doctor::check_token(*setup.provider, token, opt.timeout_s, report);
    }

    if (opt.json)
        std::printf(
            "%s\n",
            report.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else
        report.print_text();
    return report.any_failed() ? 1 : 0;
}

} // namespace fastmcp::cli
