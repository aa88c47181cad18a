// Shared base of the purpose-built bad providers (bad_hang.so, bad_crash.so): "good-token" is
// accepted, anything unrecognised is UNKNOWN_TOKEN, and describe() names a fixed loopback
// resource, so a test can run `fastmcp run` with the module and no settings at all.
#pragma once

#include "fastmcp/provider.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace bad_provider {
using namespace fastmcp::plugin;

inline Verdict good(std::string_view token) {
    auto t = std::make_shared<VerifiedToken>();
    t->token = std::string(token);
    t->subject = "user-1";
    t->client_id = "client-1";
    t->scopes = {"mcp:read"};
    t->expires_at = 4102444800;
    return Verdict::ok(std::move(t));
}

class Base : public Provider {
public:
    Verdict verify(std::string_view token) override {
        if (token == "good-token") return good(token);
        return Verdict::reject(FASTMCP_REASON_UNKNOWN_TOKEN, "unknown token");
    }
    std::string describe_json() override {
        return R"({"resource":"http://127.0.0.1:8000/mcp",)"
               R"("resource_metadata_url":"http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp",)"
               R"("issuer":"https://issuer.test","required_scopes":[],"routes":[],"warnings":[],"health":{"ready":true}})";
    }
};

} // namespace bad_provider
