// ProviderBackend: the adapter from the C plugin ABI to AuthBackend, with a fake descriptor.
#include <doctest/doctest.h>

#include "fastmcp/provider_backend.hpp"

#include <cstring>
#include <thread>

using namespace fastmcp;

namespace {

int fake_describe(void *, fastmcp_bytes_fn on_json, void *user) {
    const char *j =
        R"({"resource":"http://h/mcp","resource_metadata_url":"http://h/.well-known/oauth-protected-resource/mcp",)"
        R"("issuer":"https://iss","required_scopes":["a"],"routes":["/r"]})";
    on_json(user, j, std::strlen(j));
    return 0;
}

int64_t g_expires_at = 99; // what fake_verify reports for "ok..." tokens

int fake_verify(void *, const char *token, size_t size, fastmcp_verdict_fn on_verdict, void *user) {
    std::string t(token, size);
    if (t == "fail") return 1;
    if (t == "silent") return 0; // never calls back
    fastmcp_verdict v{};
    v.struct_size = sizeof v;
    static const fastmcp_str scopes[] = {{"a", 1}, {"b", 1}};
    if (t.rfind("ok", 0) == 0) {
        v.reason = FASTMCP_REASON_OK;
        v.token = {token, size};
        v.subject = {"sub", 3};
        v.scopes = scopes;
        v.scope_count = 2;
        v.expires_at = g_expires_at;
        v.claims_json = {"{\"x\":1}", 7};
    } else if (t == "weird") {
        v.reason = 9999;
    } else {
        v.reason = FASTMCP_REASON_EXPIRED;
        v.description = {"expired", 7};
    }
    on_verdict(user, &v);
    on_verdict(user, &v); // a second call must be ignored
    return 0;
}

int fake_route(void *, const fastmcp_route_request *req, fastmcp_route_response_fn on_response,
               void *user) {
    if (std::string(req->path.data, req->path.size) != "/r") return 0;
    fastmcp_route_response r{};
    r.struct_size = sizeof r;
    r.status = 200;
    r.body = {"{}", 2};
    r.content_type = {"application/json", 16};
    on_response(user, &r);
    return 1;
}

fastmcp_provider_desc fake_desc() {
    fastmcp_provider_desc d{};
    d.struct_size = sizeof d;
    d.name = "Fake";
    d.verify = fake_verify;
    d.describe = fake_describe;
    d.handle_route = fake_route;
    return d;
}

} // namespace

TEST_CASE("describe is parsed into AuthInfo") {
    auto d = fake_desc();
    ProviderBackend b(&d, nullptr);
    CHECK(b.info().resource == "http://h/mcp");
    CHECK(b.info().resource_metadata_url == "http://h/.well-known/oauth-protected-resource/mcp");
    CHECK(b.info().routes == std::vector<std::string>{"/r"});
    CHECK(b.info().required_scopes == std::vector<std::string>{"a"});
}

TEST_CASE("verdicts are copied out; failures fail closed") {
    auto d = fake_desc();
    ProviderBackend b(&d, nullptr);
    auto v = b.verify("ok");
    REQUIRE(v.ok());
    CHECK(v.token->token == "ok");
    CHECK(v.token->subject == "sub");
    CHECK(v.token->scopes == std::vector<std::string>{"a", "b"});
    CHECK(v.token->expires_at == 99);
    CHECK(v.token->claims_json == "{\"x\":1}");
    CHECK(b.verify("bad").reason == FASTMCP_REASON_EXPIRED);
    CHECK(b.verify("bad").description == "expired");
    CHECK(b.verify("fail").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK(b.verify("silent").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK(b.verify("weird").reason == FASTMCP_REASON_INTERNAL_ERROR);
    CHECK_FALSE(b.verify("fail").ok());
}

TEST_CASE("an identical verdict on the same thread shares the previous AccessToken; any difference "
          "builds a new one") {
    auto d = fake_desc();
    ProviderBackend b(&d, nullptr);
    auto first = b.verify("ok-same").token;
    REQUIRE(first);
    CHECK(b.verify("ok-same").token == first);
    auto other = b.verify("ok-other").token;
    CHECK(other != first);
    CHECK(other->token == "ok-other");
    g_expires_at = 100;
    auto later = b.verify("ok-other").token;
    CHECK(later != other);
    CHECK(later->expires_at == 100);
    CHECK(other->expires_at == 99); // shared objects are never changed
    g_expires_at = 99;
    std::shared_ptr<const AccessToken> elsewhere;
    std::thread([&] { elsewhere = b.verify("ok-other").token; }).join();
    CHECK(elsewhere != later);
    CHECK(elsewhere->expires_at == 99);
}

TEST_CASE("routes") {
    auto d = fake_desc();
    ProviderBackend b(&d, nullptr);
    RouteRequest req;
    req.method = "GET";
    req.path = "/r";
    auto r = b.handle_route(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    req.path = "/other";
    CHECK_FALSE(b.handle_route(req));
}

TEST_CASE("a provider that cannot describe itself is refused") {
    auto d = fake_desc();
    d.describe = [](void *, fastmcp_bytes_fn, void *) { return 1; };
    CHECK_THROWS_AS(ProviderBackend(&d, nullptr), std::runtime_error);
}
