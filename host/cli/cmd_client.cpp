// `fastmcp client URL [--auth oauth|bearer:TOKEN] ping | tools | call NAME JSON_ARGS`
// The C++ counterpart of FastMCP's Client(url, auth="oauth"). Exit codes: 0 ok, 1 the call failed
// (JSON-RPC error or a tool result with isError), 2 usage, 3 authorization failed, 4 transport.
#include "commands.hpp"

#include "authorizers.hpp"
#include "mcp_client.hpp"
#include "oauth_flow.hpp"
#include "token_cache.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace fastmcp::cli {
namespace {

constexpr const char *kClientUsage =
    "usage: fastmcp client URL [--auth oauth|bearer:TOKEN] [--scope S] [--no-browser] [--show-token]\n"
    "                          ping | tools | call NAME JSON_ARGS\n"
    "  --auth oauth       the MCP authorization flow (discovery, dynamic registration, PKCE, loopback\n"
    "                     redirect); tokens are cached in $XDG_CONFIG_HOME/fastmcp (mode 0600)\n"
    "  --auth bearer:T    send a fixed bearer token\n"
    "  --show-token       print the access token in use to stdout (it is a secret)\n";

int usage(const char *why) {
    if (why) std::fprintf(stderr, "fastmcp client: %s\n", why);
    std::fputs(kClientUsage, stderr);
    return 2;
}

} // namespace

int cmd_client(const Args &args) {
    std::string url, auth, scope;
    bool no_browser = false, show_token = false;
    std::vector<std::string> positional;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (a == "--help" || a == "-h") {
            std::fputs(kClientUsage, stdout);
            return 0;
        } else if (a == "--auth" || a == "--scope") {
            if (i + 1 >= args.size()) return usage((a + " needs a value").c_str());
            (a == "--auth" ? auth : scope) = args[++i];
        } else if (a.rfind("--auth=", 0) == 0) {
            auth = a.substr(7);
        } else if (a == "--no-browser") {
            no_browser = true;
        } else if (a == "--show-token") {
            show_token = true;
        } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
            return usage(("unknown option " + a).c_str());
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() < 2) return usage(nullptr);
    url = positional[0];
    const std::string op = positional[1];
    nlohmann::json call_args = nlohmann::json::object();
    if (op == "call") {
        if (positional.size() < 3 || positional.size() > 4) return usage("call needs NAME [JSON_ARGS]");
        if (positional.size() == 4) {
            call_args = nlohmann::json::parse(positional[3], nullptr, false);
            if (!call_args.is_object()) return usage("JSON_ARGS must be a JSON object");
        }
    } else if ((op != "ping" && op != "tools") || positional.size() != 2) {
        return usage(("unknown operation '" + op + "'").c_str());
    }
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return usage("URL must be http:// or https://");

    std::unique_ptr<client::Authorizer> authorizer;
    std::unique_ptr<client::OAuthSession> session;
    if (auth == "oauth") {
        client::OAuthOptions opts;
        opts.scope = scope;
        opts.open_browser = !no_browser;
        session = std::make_unique<client::OAuthSession>(url, client::TokenCache(client::default_config_dir()), opts);
        authorizer = std::make_unique<client::OAuthAuthorizer>(*session);
    } else if (auth.rfind("bearer:", 0) == 0) {
        if (auth.size() == 7) return usage("--auth bearer: needs a token");
        authorizer = std::make_unique<client::BearerAuthorizer>(auth.substr(7));
    } else if (!auth.empty()) {
        return usage("--auth must be oauth or bearer:TOKEN");
    }

    client::McpClient mcp(url, authorizer.get());
    try {
        const auto init = mcp.initialize();
        if (show_token && authorizer)
            if (auto t = authorizer->token()) std::printf("access_token: %s\n", t->c_str());
        if (op == "ping") {
            mcp.request("ping");
            const auto info = init.value("serverInfo", nlohmann::json::object());
            std::printf("ping ok: %s %s (protocol %s)\n", info.value("name", std::string("?")).c_str(),
                        info.value("version", std::string("")).c_str(), mcp.negotiated_version().c_str());
            return 0;
        }
        if (op == "tools") {
            nlohmann::json tools = nlohmann::json::array();
            nlohmann::json params = nlohmann::json::object();
            for (int page = 0; page < 100; ++page) { // follow nextCursor, bounded
                auto r = mcp.request("tools/list", params);
                for (auto &t : r.value("tools", nlohmann::json::array())) tools.push_back(t);
                if (!r.contains("nextCursor") || !r["nextCursor"].is_string()) break;
                params["cursor"] = r["nextCursor"];
            }
            std::printf("%s\n", tools.dump(2).c_str());
            return 0;
        }
        const auto result = mcp.request("tools/call", {{"name", positional[2]}, {"arguments", call_args}});
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
        return e.status == 401 || e.status == 403 ? 3 : 4;
    }
}

} // namespace fastmcp::cli
