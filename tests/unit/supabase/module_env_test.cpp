// SupabaseProvider through the real path: env variables -> loader -> supabase.so -> create ->
// verify against the project's JWKS (served by the fake host). HS256 is refused at load time.
#include "../jwks/fake_host.hpp"

#include "fastmcp/loader.hpp"

#include <doctest/doctest.h>

using namespace fastmcp;
using fastmcp::testing::FakeHost;
using fastmcp::testing::jwks_of;
using fastmcp::testing::make_key;
using nlohmann::json;

namespace {

const std::string kProject = "https://abcdefghijklm.supabase.co";

env::Environment environment(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> vars = {
        {"FASTMCP_SERVER_AUTH", "fastmcp.server.auth.providers.supabase.SupabaseProvider"},
        {"FASTMCP_SERVER_AUTH_SUPABASE_PROJECT_URL", kProject},
        {"FASTMCP_SERVER_AUTH_SUPABASE_BASE_URL", "http://localhost:8000"}};
    for (auto &kv : extra) vars[kv.first] = kv.second;
    return env::Environment(vars, std::nullopt);
}

std::vector<std::string> search_path() { return {FASTMCP_PROVIDER_DIR}; }

} // namespace

TEST_CASE("env -> loader -> supabase.so: defaults applied, an ES256 project token verifies") {
    FakeHost fake;
    const auto key = make_key("sb-1", jose::Alg::ES256);
    fake.serve(kProject + "/auth/v1/.well-known/jwks.json", 200, jwks_of({key.jwk()}));
    auto p = loader::load_provider(environment(), search_path(), fake.api());
    REQUIRE(p);
    CHECK(p->provider_name() == "SupabaseProvider");
    CHECK(p->settings()["algorithm"] == "ES256");
    CHECK(p->settings()["audience"] == json::array({"authenticated"}));
    const int64_t now = fake.now_s();
    const std::string token = key.sign({{"iss", kProject + "/auth/v1"}, {"sub", "u1"}, {"aud", "authenticated"},
                                        {"role", "authenticated"}, {"iat", now}, {"exp", now + 600}});
    auto v = p->verify(token);
    CHECK(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->token == token);
    json d = json::parse(p->describe_json());
    CHECK(d["authorization_servers"] == json::array({kProject + "/auth/v1"}));
}

TEST_CASE("HS256 stops the load with the explanation") {
    FakeHost fake;
    std::string error;
    try {
        loader::load_provider(environment({{"FASTMCP_SERVER_AUTH_SUPABASE_ALGORITHM", "HS256"}}), search_path(),
                              fake.api());
    } catch (const loader::LoadError &e) {
        error = e.what();
    }
    CHECK(error.find("FASTMCP_SERVER_AUTH_SUPABASE_ALGORITHM") != std::string::npos);
    CHECK(error.find("symmetric keys are never published in a JWKS") != std::string::npos);
}
