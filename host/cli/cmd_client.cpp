// `fastmcp client URL [--auth oauth|bearer:TOKEN] [options] ping | tools | call NAME JSON_ARGS`
// The C++ counterpart of FastMCP's Client(url, auth="oauth"). Exit codes: 0 ok, 1 a tool or
// protocol error (JSON-RPC error, a tool result with isError, a transport failure), 2 usage,
// 3 authorization failed.
#include "commands.hpp"
#include "fastmcp/env/url.hpp"

#include "authorizers.hpp"
#include "client_assertion.hpp"
#include "elicitation.hpp"
#include "mcp_client.hpp"
#include "oauth_flow.hpp"
#include "token_cache.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace fastmcp::cli {
namespace {

constexpr const char *kClientUsage =
    "usage: fastmcp client URL [--auth oauth|bearer:TOKEN] [options] ping | tools | call NAME "
    "[JSON_ARGS]\n"
    "  --auth oauth               the MCP authorization flow (discovery, registration, PKCE, "
    "loopback\n"
    "                             redirect); tokens are cached per server in "
    "$XDG_CONFIG_HOME/fastmcp\n"
    "                             (mode 0600) and refreshed before a new sign-in\n"
    "  --auth bearer:T            send a fixed bearer token\n"
    "  --client-id ID             a pre-registered client (used first)\n"
    "  --client-secret S          its secret (client_secret_basic or _post, as the server "
    "supports)\n"
    "  --client-metadata-url URL  this client's Client ID Metadata Document, used when the\n"
    "                             authorization server supports CIMD (else dynamic registration)\n"
    "  --client-key FILE          PEM private key for private_key_jwt (ES256 for P-256, RS256 for "
    "RSA)\n"
    "  --grant client_credentials machine-to-machine: no sign-in; needs --client-id with\n"
    "                             --client-secret or --client-key\n"
    "  --scope S                  request this scope instead of the server's\n"
    "  --elicitation MODE         answer server questions: accept-defaults | decline | cancel | "
    "ask\n"
    "                             (default: ask when stdin is a terminal, else decline)\n"
    "  --no-browser               print the sign-in URL instead of opening a browser\n"
    "  --show-token               print the access token in use to stdout (it is a secret)\n"
    "A 403 insufficient_scope re-authorizes with the union of scopes, at most 2 times.\n"
    "exit codes: 0 success, 1 a tool or protocol error, 2 usage, 3 authorization failed\n";

int usage(const std::string &why) {
    if (!why.empty()) std::fprintf(stderr, "fastmcp client: %s\n", why.c_str());
    std::fputs(kClientUsage, stderr);
    return 2;
}

} // namespace

int cmd_client(const Args &args) {
    std::map<std::string, std::string> opt; // options that take a value
    bool no_browser = false, show_token = false;
    std::vector<std::string> positional;
    const char *valued[] = {
        "--auth",       "--scope", "--client-id",  "--client-secret", "--client-metadata-url",
        "--client-key", "--grant", "--elicitation"};
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kClientUsage, stdout);
            return 0;
        }
        if (a == "--no-browser") {
            no_browser = true;
            continue;
        }
        if (a == "--show-token") {
            show_token = true;
            continue;
        }
        if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
            const size_t eq = a.find('=');
            const std::string name = a.substr(0, eq);
            if (std::find(std::begin(valued), std::end(valued), name) == std::end(valued))
                return usage("unknown option " + name);
            if (eq != std::string::npos)
                opt[name] = a.substr(eq + 1);
            else if (i + 1 < args.size())
                opt[name] = args[++i];
            else
                return usage(name + " needs a value");
            continue;
        }
        positional.push_back(a);
    }
    if (positional.size() < 2) return usage("");
    const std::string url = positional[0];
    const std::string op = positional[1];
    nlohmann::json call_args = nlohmann::json::object();
    if (op == "call") {
        if (positional.size() < 3 || positional.size() > 4)
            return usage("call needs NAME [JSON_ARGS]");
        if (positional.size() == 4) {
            call_args = nlohmann::json::parse(positional[3], nullptr, false);
            if (!call_args.is_object()) return usage("JSON_ARGS must be a JSON object");
        }
    } else if ((op != "ping" && op != "tools") || positional.size() != 2) {
        return usage("unknown operation '" + op + "'");
    }
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        return usage("URL must be http:// or https://");

    auto get = [&](const char *name) {
        auto it = opt.find(name);
        return it == opt.end() ? std::string() : it->second;
    };
    const std::string auth = get("--auth");
    const std::string grant = get("--grant");
    if (!grant.empty() && grant != "client_credentials" && grant != "authorization_code")
        return usage("--grant must be client_credentials or authorization_code");
    if (auth != "oauth") {
        for (const char *o :
             {"--client-id", "--client-secret", "--client-metadata-url", "--client-key", "--grant"})
            if (opt.count(o)) return usage(std::string(o) + " needs --auth oauth");
    }
    if (grant == "client_credentials" && get("--client-id").empty())
        return usage("--grant client_credentials needs --client-id");
    if (opt.count("--client-secret") && get("--client-id").empty())
        return usage("--client-secret needs --client-id");

    std::unique_ptr<client::Authorizer> authorizer;
    std::unique_ptr<client::OAuthSession> session;
    if (auth == "oauth") {
        client::OAuthOptions o;
        o.scope = get("--scope");
        o.open_browser = !no_browser;
        o.client_id = get("--client-id");
        o.client_secret = get("--client-secret");
        o.client_metadata_url = get("--client-metadata-url");
        o.client_credentials = grant == "client_credentials";
        if (!o.client_metadata_url.empty()) {
            // The host is parsed, not prefix-matched: http://localhost.evil.example is not loopback.
            bool valid = false;
            try {
                valid = env::parse_url(o.client_metadata_url).notices.empty();
            } catch (const std::exception &) {
            }
            if (!valid)
                return usage("--client-metadata-url must be an https URL (or loopback http) with "
                             "its scheme, no userinfo, query or fragment");
        }
        if (const std::string path = get("--client-key"); !path.empty()) {
            std::ifstream in(path);
            if (!in) return usage("cannot read --client-key " + path);
            std::stringstream ss;
            ss << in.rdbuf();
            o.client_key_pem = ss.str();
            try {
                std::fprintf(stderr, "fastmcp client: private_key_jwt with %s\n",
                             client::client_key_algorithm(o.client_key_pem).c_str());
            } catch (const std::exception &e) {
                return usage(std::string("--client-key: ") + e.what());
            }
        }
        session = std::make_unique<client::OAuthSession>(
            url, client::TokenCache(client::default_config_dir()), o);
        authorizer = std::make_unique<client::OAuthAuthorizer>(*session);
    } else if (auth.rfind("bearer:", 0) == 0) {
        if (auth.size() == 7) return usage("--auth bearer: needs a token");
        authorizer = std::make_unique<client::BearerAuthorizer>(auth.substr(7));
    } else if (!auth.empty()) {
        return usage("--auth must be oauth or bearer:TOKEN");
    }

    client::McpClientOptions mo;
    std::optional<client::ElicitationMode> mode;
    if (opt.count("--elicitation")) {
        mode = client::elicitation_mode_from(get("--elicitation"));
        if (!mode) return usage("--elicitation must be accept-defaults, decline, cancel or ask");
    } else {
        mode = ::isatty(0) ? client::ElicitationMode::Ask : client::ElicitationMode::Decline;
    }
    mo.elicit = [m = *mode](const nlohmann::json &params) {
        auto result = client::answer_elicitation(params, m, std::cin, std::cerr);
        std::fprintf(stderr, "fastmcp client: elicitation answered: %s\n",
                     result.value("action", std::string()).c_str());
        return result;
    };

    client::McpClient mcp(url, authorizer.get(), mo);
    try {
        const auto init = mcp.initialize();
        if (show_token && authorizer)
            if (auto t = authorizer->token()) std::printf("access_token: %s\n", t->c_str());
        if (op == "ping") {
            mcp.request("ping");
            const auto info = init.value("serverInfo", nlohmann::json::object());
            std::printf(
                "ping ok: %s %s (protocol %s)\n", info.value("name", std::string("?")).c_str(),
                info.value("version", std::string("")).c_str(), mcp.negotiated_version().c_str());
            return 0;
        }
        if (op == "tools") {
            nlohmann::json tools = nlohmann::json::array();
            nlohmann::json params = nlohmann::json::object();
            for (int page = 0; page < 100; ++page) { // follow nextCursor, bounded
                auto r = mcp.request("tools/list", params);
                for (auto &t : r.value("tools", nlohmann::json::array()))
                    tools.push_back(t);
                if (!r.contains("nextCursor") || !r["nextCursor"].is_string()) break;
                params["cursor"] = r["nextCursor"];
            }
            std::printf("%s\n", tools.dump(2).c_str());
            return 0;
        }
        const auto result =
            mcp.request("tools/call", {{"name", positional[2]}, {"arguments", call_args}});
        std::printf("%s\n", result.dump(2).c_str());
        return result.value("isError", false) ? 1 : 0;
    } catch (const client::OAuthError &e) {
        std::fprintf(stderr, "fastmcp client: authorization failed: %s\n", e.what());
        return 3;
    } catch (const client::RpcError &e) {
        std::fprintf(stderr, "fastmcp client: server error %d: %s\n", e.code, e.what());
        return 1;
    } catch (const client::TransportError &e) {
        std::fprintf(stderr, "fastmcp client: %s\n", e.what());
        return e.status == 401 || e.status == 403 ? 3 : 1;
    }
}

} // namespace fastmcp::cli
