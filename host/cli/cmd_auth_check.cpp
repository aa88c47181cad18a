// `fastmcp auth check --token <JWT|@file|-> [--env-file F] [--json] [--timeout S]`
// "Why is my token rejected?": loads the configured provider the way `auth config` does, waits
// briefly for it to be ready (keys fetched), verifies the token and prints the verdict, the reason
// name and description, and the decoded header and claims with the signature elided. The raw token
// and its signature are never printed.
// Exit codes: 0 valid, 1 rejected, 2 usage or configuration error.
#include "commands.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/field_value.hpp"
#include "fastmcp/jose/base64url.hpp"
#include "fastmcp/loader.hpp"
#include "host_services.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace fastmcp::cli {
namespace {

using nlohmann::json;

constexpr const char *kUsage =
    "usage: fastmcp auth check --token <JWT|@file|-> [--env-file FILE] [--json] [--timeout SECONDS]\n"
    "  --token JWT    the token itself; @file reads it from a file, - from standard input\n"
    "  --timeout S    how long to wait for the provider to be ready (default 10)\n";

constexpr size_t kMaxTokenInput = 64 * 1024;

struct Options {
    std::optional<std::string> token_arg;
    std::optional<std::string> env_file;
    bool json = false;
    double timeout_s = 10.0;
};

int usage_error(const std::string &message) {
    std::fprintf(stderr, "fastmcp auth check: %s\n%s", message.c_str(), kUsage);
    return 2;
}

std::string trim(std::string s) {
    const char *ws = " \t\r\n";
    s.erase(0, s.find_first_not_of(ws));
    s.erase(s.find_last_not_of(ws) + 1);
    return s;
}

// The token from the argument, a file or stdin; a leading "Bearer " is tolerated.
std::string read_token(const std::string &arg) {
    std::string raw;
    if (arg == "-") {
        raw.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else if (!arg.empty() && arg[0] == '@') {
        std::ifstream in(arg.substr(1), std::ios::binary);
        if (!in) throw std::runtime_error("cannot read token file '" + arg.substr(1) + "'");
        raw.assign(std::istreambuf_iterator<char>(in), {});
    } else {
        raw = arg;
    }
    if (raw.size() > kMaxTokenInput) throw std::runtime_error("the token input is larger than 64 KiB");
    raw = trim(raw);
    if (raw.size() > 7 && (raw.rfind("Bearer ", 0) == 0 || raw.rfind("bearer ", 0) == 0)) raw = trim(raw.substr(7));
    return raw;
}

// Decoded locally, for display only: verification is the provider's job.
struct Decoded {
    json header;  // null when it does not decode
    json claims;  // null when it does not decode
    size_t parts = 0;
    size_t signature_chars = 0;
    std::string problem;
};

Decoded decode(const std::string &token) {
    Decoded d;
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t dot = token.find('.', start);
        parts.push_back(token.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    d.parts = parts.size();
    if (parts.size() != 3) {
        d.problem = "not three dot-separated parts (" + std::to_string(parts.size()) + " found)";
        return d;
    }
    d.signature_chars = parts[2].size();
    auto part = [&](const std::string &p, const char *what) -> json {
        auto bytes = jose::base64url_decode(p);
        if (!bytes) {
            d.problem += std::string(d.problem.empty() ? "" : "; ") + what + " is not strict base64url";
            return nullptr;
        }
        json j = json::parse(*bytes, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            d.problem += std::string(d.problem.empty() ? "" : "; ") + what + " is not a JSON object";
            return nullptr;
        }
        return j;
    };
    d.header = part(parts[0], "header");
    d.claims = part(parts[1], "claims");
    return d;
}

std::string utc(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string relative(int64_t delta) {
    const int64_t a = delta < 0 ? -delta : delta;
    std::string span = a >= 86400 ? std::to_string(a / 86400) + "d " + std::to_string(a % 86400 / 3600) + "h"
                       : a >= 3600 ? std::to_string(a / 3600) + "h " + std::to_string(a % 3600 / 60) + "m"
                       : a >= 60   ? std::to_string(a / 60) + "m " + std::to_string(a % 60) + "s"
                                   : std::to_string(a) + "s";
    return delta >= 0 ? "in " + span : span + " ago";
}

// "exp: 2026-11-26T05:30:00Z (in 8m 3s)" for each time claim present.
std::vector<std::string> time_notes(const json &claims, int64_t now) {
    std::vector<std::string> out;
    if (!claims.is_object()) return out;
    for (const char *name : {"iat", "nbf", "exp"}) {
        auto it = claims.find(name);
        if (it == claims.end() || !it->is_number()) continue;
        const auto t = static_cast<int64_t>(it->get<double>());
        out.push_back(std::string(name) + ": " + utc(t) + " (" + relative(t - now) + ")");
    }
    return out;
}

void indent_print(const json &j) {
    std::istringstream lines(j.dump(2, ' ', false, json::error_handler_t::replace));
    for (std::string line; std::getline(lines, line);) std::printf("  %s\n", line.c_str());
}

json wait_until_ready(const loader::ProviderHandle &h, double timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    json health = nullptr;
    for (;;) {
        try {
            json d = json::parse(h.describe_json());
            if (d.is_object() && d.contains("health")) health = d["health"];
        } catch (const std::exception &) {
        }
        if (health.is_object() && health.value("ready", false)) return health;
        if (std::chrono::steady_clock::now() >= deadline) return health;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

struct LogCollector {
    std::mutex mu;
    std::vector<std::string> lines;
};

} // namespace

int cmd_auth_check(const Args &args) {
    Options opt;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--json") {
            opt.json = true;
        } else if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if ((a == "--token" || a == "--env-file" || a == "--timeout") && i + 1 < args.size()) {
            const std::string &v = args[++i];
            if (a == "--token") opt.token_arg = v;
            else if (a == "--env-file") opt.env_file = v;
            else {
                try {
                    opt.timeout_s = env::parse_duration(v);
                } catch (const std::exception &e) {
                    return usage_error(std::string("--timeout: ") + e.what());
                }
            }
        } else if (a.rfind("--token=", 0) == 0) {
            opt.token_arg = a.substr(8);
        } else {
            return usage_error("unknown option '" + a + "'");
        }
    }
    if (!opt.token_arg) return usage_error("--token is required");

    std::string token;
    try {
        token = read_token(*opt.token_arg);
    } catch (const std::exception &e) {
        return usage_error(e.what());
    }
    if (token.empty()) return usage_error("the token is empty");
    const Decoded decoded = decode(token);

    env::Environment environment;
    try {
        environment = env::Environment::from_process(opt.env_file);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp auth check: %s\n", e.what());
        return 2;
    }

    LogCollector logs;
    host::HostServices::Options services_options;
    services_options.log = [&logs](fastmcp_log_level level, std::string_view m) {
        if (level < FASTMCP_LOG_INFO) return;
        std::lock_guard lock(logs.mu);
        logs.lines.push_back(std::string(level >= FASTMCP_LOG_ERROR ? "ERROR " : level >= FASTMCP_LOG_WARNING ? "WARNING " : "INFO ") +
                             std::string(m));
    };
    host::HostServices services(std::move(services_options));

    std::unique_ptr<loader::ProviderHandle> provider;
    try {
        provider = loader::load_provider(environment, loader::default_search_path(environment), services.api());
    } catch (const loader::LoadError &e) {
        std::fprintf(stderr, "fastmcp auth check: %s: %s\n", loader::error_kind_name(e.kind()), e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "fastmcp auth check: %s\n", e.what());
        return 2;
    }
    if (!provider) {
        std::fprintf(stderr, "fastmcp auth check: FASTMCP_SERVER_AUTH is not set, so auth is off and "
                             "there is no provider to check the token against\n");
        return 2;
    }

    const json health = wait_until_ready(*provider, opt.timeout_s);
    const plugin::Verdict v = provider->verify(token);
    const bool valid = v.reason == FASTMCP_REASON_OK;
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<std::string> log_lines;
    {
        std::lock_guard lock(logs.mu);
        log_lines = logs.lines;
    }

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

    std::printf("provider:  %s (%s)\n", provider->provider_name().c_str(), provider->module_path().c_str());
    std::printf("header:\n");
    if (decoded.header.is_null()) std::printf("  (does not decode)\n");
    else indent_print(decoded.header);
    std::printf("claims:\n");
    if (decoded.claims.is_null()) std::printf("  (does not decode)\n");
    else indent_print(decoded.claims);
    for (const auto &note : time_notes(decoded.claims, now)) std::printf("  %s\n", note.c_str());
    if (decoded.parts == 3)
        std::printf("signature: (elided, %zu characters)\n", decoded.signature_chars);
    if (!decoded.problem.empty()) std::printf("decoding:  %s\n", decoded.problem.c_str());
    if (valid) {
        const auto &t = *v.token;
        std::printf("verdict:   VALID\n");
        std::printf("  subject:   %s\n  client_id: %s\n  issuer:    %s\n", t.subject.c_str(), t.client_id.c_str(),
                    t.issuer.c_str());
        std::string scopes;
        for (const auto &s : t.scopes) scopes += (scopes.empty() ? "" : " ") + s;
        std::printf("  scopes:    %s\n", scopes.empty() ? "(none)" : scopes.c_str());
        if (t.expires_at) std::printf("  expires:   %s (%s)\n", utc(t.expires_at).c_str(), relative(t.expires_at - now).c_str());
    } else {
        std::printf("verdict:   REJECTED\n");
        std::printf("  reason:      %s (%d)\n", fastmcp_reason_name(v.reason), static_cast<int>(v.reason));
        std::printf("  description: %s\n", v.description.c_str());
        if (!v.required_scope.empty()) std::printf("  missing scope(s): %s\n", v.required_scope.c_str());
        if (v.reason == FASTMCP_REASON_JWKS_UNAVAILABLE && health.is_object())
            std::printf("  provider health: %s\n", health.dump().c_str());
        if (!log_lines.empty()) {
            std::printf("provider log:\n");
            for (const auto &l : log_lines) std::printf("  %s\n", l.c_str());
        }
    }
    return valid ? 0 : 1;
}

} // namespace fastmcp::cli
