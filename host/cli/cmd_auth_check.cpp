// `fastmcp auth check --token <JWT|@file|-> [--env-file F] [--json] [--timeout S]`
// "Why is my token rejected?": loads the configured provider the way `auth config` does, waits
// briefly for it to be ready (keys fetched), verifies the token and prints the verdict, the reason
// name and description, and the decoded header and claims with the signature elided. The raw token
// and its signature are never printed.
// Exit codes: 0 valid, 1 rejected, 2 usage or configuration error.
#include "commands.hpp"
#include "provider_log.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"
#include "fastmcp/loader.hpp"
#include "host_services.hpp"
#include "provider_ready.hpp"
#include "token_display.hpp"
#include "token_input.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>

namespace fastmcp::cli {
namespace {

using nlohmann::json;

constexpr const char *kCheckUsage =
    "usage: fastmcp auth check --token <JWT|@file|-> [--env-file FILE] [--json] [--timeout "
    "SECONDS]\n"
    "  --token JWT    the token itself; @file reads it from a file, - from standard input\n"
    "  --timeout S    how long to wait for the provider to be ready (default 10)\n";

struct CheckOptions {
    std::optional<std::string> token_arg;
    std::optional<std::string> env_file;
    bool json = false;
    double timeout_s = 10.0;
};

int check_usage_error(const std::string &message) {
    std::fprintf(stderr, "fastmcp auth check: %s\n%s", message.c_str(), kCheckUsage);
    return 2;
}

} // namespace

int cmd_auth_check(const Args &args) {
    CheckOptions opt;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--json") {
            opt.json = true;
        } else if (a == "-h" || a == "--help") {
            std::fputs(kCheckUsage, stdout);
            return 0;
        } else if ((a == "--token" || a == "--env-file" || a == "--timeout") &&
                   i + 1 < args.size()) {
            const std::string &v = args[++i];
            if (a == "--token")
                opt.token_arg = v;
            else if (a == "--env-file")
                opt.env_file = v;
            else {
                try {
                    opt.timeout_s = env::parse_duration(v);
                } catch (const std::exception &e) {
                    return check_usage_error(std::string("--timeout: ") + e.what());
                }
            }
        } else if (a.rfind("--token=", 0) == 0) {
            opt.token_arg = a.substr(8);
        } else {
            return check_usage_error("unknown option '" + a + "'");
        }
    }
    if (!opt.token_arg) return check_usage_error("--token is required");

    TokenInput input;
    try {
        input = read_token(*opt.token_arg);
    } catch (const std::exception &e) {
        return check_usage_error(e.what());
    }
    const std::string &token = input.token;
    if (!input.too_large && token.empty()) return check_usage_error("the token is empty");
    DecodedToken decoded;
    if (input.too_large)
        decoded.problem = "not decoded: the input is larger than 64 KiB";
    else
        decoded = decode_for_display(token);

    env::Environment environment;
    try {
        environment = env::Environment::from_process(opt.env_file);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp auth check: %s\n", e.what());
        return 2;
    }

    ProviderLog logs(FASTMCP_LOG_INFO);
    host::HostServices::Options services_options;
    services_options.log = [&logs](fastmcp_log_level level, std::string_view m) {
        logs.add(level, m);
    };
    host::HostServices services(std::move(services_options));

    std::unique_ptr<loader::ProviderHandle> provider;
    try {
        provider = loader::load_provider(environment, loader::default_search_path(environment),
                                         services.api());
    } catch (const loader::LoadError &e) {
        std::fprintf(stderr, "fastmcp auth check: %s: %s\n", loader::error_kind_name(e.kind()),
                     e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp auth check: %s\n", e.what());
        return 2;
    }
    if (!provider) {
        std::fprintf(stderr,
                     "fastmcp auth check: FASTMCP_SERVER_AUTH is not set, so auth is off and "
                     "there is no provider to check the token against\n");
        return 2;
    }

    const json health = input.too_large ? json() : wait_until_ready(*provider, opt.timeout_s);
    // Too large to hand to any provider: an invalid token all the same (exit 1, not 2).
    const plugin::Verdict v = input.too_large
                                  ? plugin::Verdict::reject(FASTMCP_REASON_TOKEN_TOO_LARGE,
                                                            "the token is larger than 64 KiB")
                                  : provider->verify(token);
    const bool valid = v.reason == FASTMCP_REASON_OK;
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    const std::vector<std::string> log_lines = logs.lines();

    if (opt.json) {
        json out;
        out["valid"] = valid;
        out["reason"] = fastmcp_reason_name(v.reason);
        out["reason_code"] = static_cast<int>(v.reason);
        out["description"] = v.description;
        if (!v.required_scope.empty()) out["required_scope"] = v.required_scope;
        out["provider"] = provider->provider_name();
        out["header"] = decoded.header;
        out["claims"] = decoded.claims;
        out["signature"] = "(elided, " + std::to_string(decoded.signature_chars) + " characters)";
        if (!decoded.problem.empty()) out["decode_problem"] = decoded.problem;
        if (v.token) {
            out["subject"] = v.token->subject;
            out["client_id"] = v.token->client_id;
            out["issuer"] = v.token->issuer;
            out["scopes"] = v.token->scopes;
            out["expires_at"] = v.token->expires_at;
        }
        out["provider_health"] = health;
        out["provider_log"] = log_lines;
        std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
        return valid ? 0 : 1;
    }

    std::printf("provider:  %s (%s)\n", provider->provider_name().c_str(),
                provider->module_path().c_str());
    std::printf("header:\n");
    if (decoded.header.is_null())
        std::printf("  (does not decode)\n");
    else
        print_indented(decoded.header);
    std::printf("claims:\n");
    if (decoded.claims.is_null())
        std::printf("  (does not decode)\n");
    else
        print_indented(decoded.claims);
    for (const auto &note : time_notes(decoded.claims, now))
        std::printf("  %s\n", note.c_str());
    if (decoded.parts == 3)
        std::printf("signature: (elided, %zu characters)\n", decoded.signature_chars);
    if (!decoded.problem.empty()) std::printf("decoding:  %s\n", decoded.problem.c_str());
    if (valid) {
        const auto &t = *v.token;
        std::printf("verdict:   VALID\n");
        std::printf("  subject:   %s\n  client_id: %s\n  issuer:    %s\n", t.subject.c_str(),
                    t.client_id.c_str(), t.issuer.c_str());
        std::string scopes;
        for (const auto &s : t.scopes)
            scopes += (scopes.empty() ? "" : " ") + s;
        std::printf("  scopes:    %s\n", scopes.empty() ? "(none)" : scopes.c_str());
        if (t.expires_at)
            std::printf("  expires:   %s (%s)\n", utc_time(t.expires_at).c_str(),
                        relative_time(t.expires_at - now).c_str());
    } else {
        std::printf("verdict:   REJECTED\n");
        std::printf("  reason:      %s (%d)\n", fastmcp_reason_name(v.reason),
                    static_cast<int>(v.reason));
        std::printf("  description: %s\n", v.description.c_str());
        if (!v.required_scope.empty())
            std::printf("  missing scope(s): %s\n", v.required_scope.c_str());
        if (v.reason == FASTMCP_REASON_JWKS_UNAVAILABLE && health.is_object())
            std::printf("  provider health: %s\n", health.dump().c_str());
        if (!log_lines.empty()) {
            std::printf("provider log:\n");
            for (const auto &l : log_lines)
                std::printf("  %s\n", l.c_str());
        }
    }
    return valid ? 0 : 1;
}

} // namespace fastmcp::cli
