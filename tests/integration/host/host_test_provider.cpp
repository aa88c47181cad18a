// HostTestProvider: static tokens mapped to fixed verdicts, so the host's auth middleware can be
// tested for every outcome without a real identity provider.
//   good-token      OK (sub user-1, client client-1, scopes mcp:read mcp:write)
//   other-token     OK (sub user-2, client client-1: another user of the same client)
//   narrow-token    INSUFFICIENT_SCOPE (requires mcp:write)
//   expired-token   EXPIRED
//   error-token     INTERNAL_ERROR verdict
//   throw-token     verify throws (the C thunk returns non-zero)
//   leaky-token     rejected with a description that (wrongly) contains the token itself
//   anything else   UNKNOWN_TOKEN
#include "fastmcp/provider.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace {
using namespace fastmcp::plugin;

class HostTest : public Provider {
public:
    HostTest(Host host, std::string_view settings) : host_(host) {
        auto s = nlohmann::json::parse(settings);
        base_url_ = s.value("base_url", "");
        if (base_url_.empty()) throw ConfigError("FASTMCP_SERVER_AUTH_HOSTTESTPROVIDER_BASE_URL: required");
        resource_ = base_url_ + std::string(host_.mcp_path());
        metadata_path_ = "/.well-known/oauth-protected-resource" + std::string(host_.mcp_path());
    }

    Verdict verify(std::string_view token) override {
        if (token == "good-token" || token == "other-token") {
            auto t = std::make_shared<VerifiedToken>();
            t->token = std::string(token);
            t->subject = token == "good-token" ? "user-1" : "user-2";
            t->client_id = "client-1";
            t->issuer = "https://issuer.test";
            t->scopes = {"mcp:read", "mcp:write"};
            t->expires_at = 4102444800;
            t->claims_json = R"({"sub":"user-1","org_id":"org_1","scope":"mcp:read mcp:write"})";
            return Verdict::ok(std::move(t));
        }
        if (token == "narrow-token") {
            Verdict v = Verdict::reject(FASTMCP_REASON_INSUFFICIENT_SCOPE, "missing scope mcp:write");
            v.required_scope = "mcp:write";
            return v;
        }
        if (token == "expired-token") return Verdict::reject(FASTMCP_REASON_EXPIRED, "the token has expired");
        if (token == "error-token") return Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, "provider broke");
        if (token == "throw-token") throw std::runtime_error("boom");
        if (token == "leaky-token") return Verdict::reject(FASTMCP_REASON_MALFORMED, "bad token leaky-token here");
        return Verdict::reject(FASTMCP_REASON_UNKNOWN_TOKEN, "unknown token");
    }

    std::string describe_json() override {
        nlohmann::json d = {{"resource", resource_},
                            {"resource_metadata_url", base_url_ + metadata_path_},
                            {"issuer", "https://issuer.test"},
                            {"authorization_servers", {"https://issuer.test"}},
                            {"required_scopes", {"mcp:read"}},
                            {"routes",
                             {metadata_path_, "/.well-known/oauth-protected-resource", "/.well-known/oauth-authorization-server",
                              "/.well-known/broken-route"}},
                            {"warnings", nlohmann::json::array()},
                            {"health", {{"ready", true}}}};
        return d.dump();
    }

    bool handle_route(const RouteRequest &req, RouteResponse &out) override {
        if (req.path == metadata_path_ || req.path == "/.well-known/oauth-protected-resource") {
            out.body = nlohmann::json{{"resource", resource_},
                                      {"authorization_servers", {"https://issuer.test"}},
                                      {"scopes_supported", {"mcp:read", "mcp:write"}},
                                      {"bearer_methods_supported", {"header"}}}
                           .dump();
            return true;
        }
        if (req.path == "/.well-known/oauth-authorization-server") {
            out.status = 502;
            out.body = R"({"error":"upstream_unavailable","error_description":"the authorization server cannot be reached"})";
            return true;
        }
        if (req.path == "/.well-known/broken-route") throw std::runtime_error("route failure");
        return false;
    }

private:
    Host host_;
    std::string base_url_, resource_, metadata_path_;
};

const fastmcp_setting_field kFields[] = {
    field("BASE_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr, "public URL of the server",
          "http://127.0.0.1:8000"),
};

const fastmcp_provider_desc kHostTest = make_provider_desc<HostTest>(
    "HostTestProvider", "FASTMCP_SERVER_AUTH_HOSTTESTPROVIDER_", "static tokens with fixed verdicts (host tests)",
    kFields, sizeof kFields / sizeof kFields[0]);

} // namespace

FASTMCP_AUTH_MODULE("host_test", "1.0", &kHostTest);
