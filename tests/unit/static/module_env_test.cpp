// StaticTokenVerifier through the real path: env variables -> loader -> jwt.so (which exports it
// next to JWTVerifier) -> create -> verify. Also the non-loopback refusal as the host reports it,
// and TOKENS masked in the settings the host may print.
#include "../jwks/fake_host.hpp"

#include "fastmcp/loader.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using nlohmann::json;

namespace {

const std::string kToken = "dev-token-4f1e9a";

env::Environment environment(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> vars = {
        {"FASTMCP_SERVER_AUTH", "fastmcp.server.auth.providers.jwt.StaticTokenVerifier"},
        {"FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_TOKENS",
         json{{kToken, {{"client_id", "dev"}, {"scopes", {"read"}}}}}.dump()},
        {"FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_REQUIRED_SCOPES", "read"}};
    for (auto &kv : extra) vars[kv.first] = kv.second;
    return env::Environment(vars, std::nullopt);
}

std::vector<std::string> search_path() { return {FASTMCP_PROVIDER_DIR}; }

} // namespace

TEST_CASE("jwt.so exports StaticTokenVerifier next to JWTVerifier") {
    auto modules = loader::scan_modules(search_path());
    bool found = false;
    for (const auto &m : modules) {
        if (m->name() != "jwt") continue;
        std::vector<std::string> names;
        for (size_t i = 0; i < m->descriptor().provider_count; ++i) names.push_back(m->descriptor().providers[i]->name);
        CHECK(names == std::vector<std::string>{"JWTVerifier", "StaticTokenVerifier"});
        found = true;
    }
    CHECK(found);
}

TEST_CASE("env -> loader -> StaticTokenVerifier: verifies, and TOKENS stays masked") {
    FakeHost fake;
    auto p = loader::load_provider(environment(), search_path(), fake.api());
    REQUIRE(p);
    CHECK(p->provider_name() == "StaticTokenVerifier");
    auto v = p->verify(kToken);
    CHECK(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->client_id == "dev");
    CHECK(p->verify("other").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    const std::string masked = p->masked_settings().dump();
    CHECK(masked.find(kToken) == std::string::npos);
    CHECK(p->masked_settings()["tokens"] == loader::kMask);
    CHECK(p->describe_json().find(kToken) == std::string::npos);
}

TEST_CASE("a non-loopback bind stops the load unless ALLOW_NON_LOOPBACK=true") {
    FakeHost fake;
    fastmcp_host_api api = *fake.api();
    std::string bind = "0.0.0.0";
    api.bind_is_loopback = 0;
    api.bind_host = plugin::str(bind);
    std::string error;
    try {
        loader::load_provider(environment(), search_path(), &api);
    } catch (const loader::LoadError &e) {
        error = e.what();
    }
    CHECK(error.find("FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_ALLOW_NON_LOOPBACK") != std::string::npos);
    CHECK(error.find(kToken) == std::string::npos);

    auto p = loader::load_provider(environment({{"FASTMCP_SERVER_AUTH_STATICTOKENVERIFIER_ALLOW_NON_LOOPBACK", "true"}}),
                                   search_path(), &api);
    REQUIRE(p);
    CHECK(p->verify(kToken).reason == FASTMCP_REASON_OK);
}
