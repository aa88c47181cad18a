// IntrospectionTokenVerifier through the real path: env variables -> loader -> introspection.so
// -> create -> verify against the fake IdP. CLIENT_SECRET is masked in what the host may print.
#include "fake_idp_host.hpp"

#include "fastmcp/loader.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using fastmcp::testing::FakeIdpHost;
using fastmcp::testing::RecordedRequest;
using nlohmann::json;

TEST_CASE("env -> loader -> introspection.so: verifies through the host's fetch; secret masked") {
    const std::string secret = "idp-secret-0a9b8c7d";
    env::Environment env({{"FASTMCP_SERVER_AUTH", "fastmcp.server.auth.providers.introspection.IntrospectionTokenVerifier"},
                          {"FASTMCP_SERVER_AUTH_INTROSPECTION_INTROSPECTION_URL", "http://127.0.0.1:9/introspect"},
                          {"FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_ID", "rs"},
                          {"FASTMCP_SERVER_AUTH_INTROSPECTION_CLIENT_SECRET", secret},
                          {"FASTMCP_SERVER_AUTH_INTROSPECTION_TIMEOUT_SECONDS", "3s"}},
                         std::nullopt);
    FakeIdpHost fake;
    fake.respond = [&](const RecordedRequest &r) {
        plugin::HttpResponse out;
        out.status = 200;
        const bool good = r.body.rfind("token=good&", 0) == 0;
        out.body = good ? json{{"active", true}, {"sub", "u"}, {"exp", fake.now_s() + 60}}.dump()
                        : json{{"active", false}}.dump();
        return out;
    };
    auto p = loader::load_provider(env, {FASTMCP_PROVIDER_DIR}, fake.api());
    REQUIRE(p);
    CHECK(p->provider_name() == "IntrospectionTokenVerifier");
    CHECK(p->verify("good").reason == FASTMCP_REASON_OK);
    CHECK(p->verify("bad").reason == FASTMCP_REASON_INACTIVE);
    CHECK(fake.requests().at(0).timeout_ms == 3000);
    CHECK(p->settings()["cache_ttl_seconds"] == 60);
    CHECK(p->masked_settings()["client_secret"] == loader::kMask);
    CHECK(p->masked_settings().dump().find(secret) == std::string::npos);
    CHECK(p->describe_json().find(secret) == std::string::npos);
    for (const auto &l : fake.logs()) CHECK(l.second.find(secret) == std::string::npos);
}
