// The loader against real modules: every resolution form, every failure mode, two providers side
// by side, and the RAII handle's lifetime rules.
#include <algorithm>
#include "fastmcp/loader.hpp"

#include <doctest/doctest.h>

#include <dlfcn.h>
#include <filesystem>
#include <fstream>

using namespace fastmcp::loader;
using fastmcp::env::Environment;
namespace fs = std::filesystem;

namespace {
const std::string kDir = FASTMCP_TEST_PROVIDER_DIR;
const std::vector<std::string> kPath = {kDir};

// A host api whose fetch always fails and whose log lines are collected.
struct FakeHost {
    fastmcp_host_api api{};
    std::vector<std::string> logs;
    FakeHost() {
        api.struct_size = sizeof api;
        api.ctx = this;
        api.log = [](void *ctx, int, const char *m, size_t n) { static_cast<FakeHost *>(ctx)->logs.emplace_back(m, n); };
        api.now_ms = [](void *) -> int64_t { return 1'700'000'000'000; };
        api.http_fetch = [](void *, const fastmcp_http_request *, fastmcp_http_response_fn cb, void *user) {
            fastmcp_http_response r{};
            r.struct_size = sizeof r;
            r.error = {"offline", 7};
            cb(user, &r);
        };
        api.mcp_path = {"/mcp", 4};
    }
};

Environment env_with(const std::string &auth, std::map<std::string, std::string> more = {}) {
    more["FASTMCP_SERVER_AUTH"] = auth;
    return Environment(std::move(more), std::nullopt);
}

std::map<std::string, std::string> hello_settings() { return {{"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "tok-1"}}; }

LoadError load_error(const Environment &env, const std::vector<std::string> &path = kPath) {
    FakeHost host;
    try {
        load_provider(env, path, &host.api);
    } catch (const LoadError &e) {
        return e;
    }
    FAIL("expected a LoadError");
    return LoadError(ErrorKind::InvalidValue, "");
}

bool is_loaded(const std::string &path) {
    void *h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h) ::dlclose(h);
    return h != nullptr;
}
} // namespace

TEST_CASE("unset FASTMCP_SERVER_AUTH means no auth (a null handle, not an error)") {
    FakeHost host;
    CHECK(load_provider(Environment(), kPath, &host.api) == nullptr);
}

TEST_CASE("every resolution form loads the hello provider") {
    const std::vector<std::string> forms = {
        "fastmcp.server.auth.providers.hello.HelloProvider",
        kDir + "/hello.so:HelloProvider",
        kDir + "/hello.so", // exactly one provider
        "hello:HelloProvider",
        "hello.HelloProvider",
    };
    for (const auto &form : forms) {
        CAPTURE(form);
        FakeHost host;
        auto h = load_provider(env_with(form, hello_settings()), kPath, &host.api);
        REQUIRE(h);
        CHECK(h->provider_name() == "HelloProvider");
        CHECK(std::string(h->desc().name) == "HelloProvider");
        CHECK(h->module_path() == fs::path(kDir + "/hello.so").lexically_normal().string());
        CHECK(h->module_name() == "hello");
        CHECK(h->instance() != nullptr);
        CHECK(h->settings()["token"] == "tok-1");
        CHECK(h->masked_settings()["token"] == kMask);
        CHECK(h->sources().at("token") == "env");
        CHECK(h->sources().at("greeting") == "default");
        CHECK(host.logs == std::vector<std::string>{"HelloProvider created"});
    }
}

TEST_CASE("FASTMCP_PROVIDER_PATH is searched in order before the install dir") {
    FakeHost host;
    auto env = env_with("hello:HelloProvider", {{"FASTMCP_PROVIDER_PATH", "/nonexistent:" + kDir},
                                                {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "t"}});
    auto path = default_search_path(env);
    auto h = load_provider(env, path, &host.api);
    REQUIRE(h);
    LoadError e = load_error(env_with("nosuch:X"), path);
    CHECK(e.kind() == ErrorKind::UnknownModule);
    REQUIRE(e.tried().size() == 3);
    CHECK(e.tried()[0] == "/nonexistent/nosuch.so");
    CHECK(e.tried()[1] == kDir + "/nosuch.so");
    CHECK(e.tried()[2] == install_provider_dir() + "/nosuch.so");
}

TEST_CASE("the handle wraps verify, describe and routes") {
    FakeHost host;
    auto h = load_provider(env_with("hello:HelloProvider", {{"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "tok"},
                                                            {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_SCOPES", "a b a"}}),
                           kPath, &host.api);
    REQUIRE(h);
    auto ok = h->verify("tok");
    CHECK(ok.reason == FASTMCP_REASON_OK);
    REQUIRE(ok.token);
    CHECK(ok.token->subject == "hello-user");
    CHECK(ok.token->token == "tok");
    CHECK(ok.token->scopes == std::vector<std::string>{"a", "b"});
    auto bad = h->verify("nope");
    CHECK(bad.reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK_FALSE(bad.token);
    auto d = nlohmann::json::parse(h->describe_json());
    CHECK(d["health"]["ready"] == true);
    CHECK(d["required_scopes"] == nlohmann::json({"a", "b"}));
    fastmcp::plugin::RouteRequest req;
    req.method = "GET";
    req.path = "/hello";
    fastmcp::plugin::RouteResponse res;
    CHECK(h->handle_route(req, res));
    CHECK(res.body == "{\"greeting\":\"hello\"}");
    req.path = "/other";
    CHECK_FALSE(h->handle_route(req, res));
}

TEST_CASE("the provider's network goes through the host api") {
    FakeHost host;
    auto h = load_provider(env_with("hello:HelloProvider", {{"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "tok"},
                                                            {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_HEALTH_URL",
                                                             "http://127.0.0.1:9/health"}}),
                           kPath, &host.api);
    auto d = nlohmann::json::parse(h->describe_json());
    CHECK(d["health"]["ready"] == false);
    CHECK(d["health"]["detail"] == "probe failed: offline");
}

TEST_CASE("two providers side by side, from one module and from two") {
    FakeHost host;
    auto alpha = load_provider(env_with("duo:AlphaProvider", {{"FASTMCP_SERVER_AUTH_ALPHAPROVIDER_KEY", "k1"}}), kPath,
                               &host.api);
    auto beta = load_provider(env_with(kDir + "/duo.so:BetaProvider",
                                       {{"FASTMCP_SERVER_AUTH_BETAPROVIDER_KEY", "k2"},
                                        {"FASTMCP_SERVER_AUTH_BETAPROVIDER_CLIENT_SECRET", "shh"}}),
                              kPath, &host.api);
    auto hello = load_provider(env_with("hello.HelloProvider", hello_settings()), kPath, &host.api);
    REQUIRE(alpha);
    REQUIRE(beta);
    REQUIRE(hello);
    CHECK(alpha->module_path() == beta->module_path()); // one .so, two independent providers
    CHECK(alpha->verify("alpha:k1").reason == FASTMCP_REASON_OK);
    CHECK(alpha->verify("beta:k2").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(beta->verify("beta:k2").reason == FASTMCP_REASON_OK);
    CHECK(beta->verify("alpha:k1").reason == FASTMCP_REASON_UNKNOWN_TOKEN);
    CHECK(hello->verify("tok-1").reason == FASTMCP_REASON_OK);
    CHECK(beta->masked_settings()["client_secret"] == kMask);
    CHECK(beta->settings()["client_secret"] == "shh");
}

TEST_CASE("the handle keeps the module loaded until it is destroyed") {
    const std::string path = fs::path(kDir + "/duo.so").lexically_normal().string();
    {
        FakeHost host;
        auto h = load_provider(env_with("duo:AlphaProvider", {{"FASTMCP_SERVER_AUTH_ALPHAPROVIDER_KEY", "k"}}), kPath,
                               &host.api);
        REQUIRE(h);
        CHECK(is_loaded(path));
        CHECK(h->verify("alpha:k").reason == FASTMCP_REASON_OK);
    }
    CHECK_FALSE(is_loaded(path)); // destroy, then dlclose
}

TEST_CASE("a module with several providers needs a class name") {
    LoadError e = load_error(env_with(kDir + "/duo.so"));
    CHECK(e.kind() == ErrorKind::AmbiguousModule);
    CHECK(std::string(e.what()).find("exports 2 providers (AlphaProvider, BetaProvider)") != std::string::npos);
}

TEST_CASE("failure: unknown class lists the classes the module has") {
    LoadError e = load_error(env_with("fastmcp.server.auth.providers.duo.GammaProvider"));
    CHECK(e.kind() == ErrorKind::UnknownClass);
    CHECK(std::string(e.what()).find("has no provider class 'GammaProvider'; it has: AlphaProvider, BetaProvider") !=
          std::string::npos);
    CHECK(e.tried() == std::vector<std::string>{kDir + "/duo.so"});
}

TEST_CASE("failure: unknown module") {
    LoadError e = load_error(env_with("fastmcp.server.auth.providers.supabase.SupabaseProvider"));
    CHECK(e.kind() == ErrorKind::UnknownModule);
    CHECK(std::string(e.what()).find("modules found: bad_crash bad_hang broken_abi broken_noentry broken_throws broken_unresolved duo hello") !=
          std::string::npos);
}

TEST_CASE("failure: file not found") {
    LoadError e = load_error(env_with(kDir + "/missing.so:X"));
    CHECK(e.kind() == ErrorKind::FileNotFound);
}

TEST_CASE("failure: dlopen error carries dlerror() text") {
    LoadError e = load_error(env_with(kDir + "/broken_unresolved.so"));
    CHECK(e.kind() == ErrorKind::DlopenFailed);
    CHECK(std::string(e.what()).find("undefined symbol: fastmcp_test_symbol_that_does_not_exist") != std::string::npos);
}

TEST_CASE("failure: a file that is not a shared object") {
    fs::path p = fs::temp_directory_path() / "fastmcp-not-elf.so";
    std::ofstream(p) << "not an ELF file";
    LoadError e = load_error(env_with(p.string()));
    CHECK(e.kind() == ErrorKind::DlopenFailed);
    fs::remove(p);
}

TEST_CASE("failure: missing entry symbol") {
    LoadError e = load_error(env_with("broken_noentry:X"));
    CHECK(e.kind() == ErrorKind::MissingEntrySymbol);
    CHECK(std::string(e.what()).find("does not export the entry symbol 'fastmcp_auth_module'") != std::string::npos);
}

TEST_CASE("failure: ABI major mismatch names both versions") {
    LoadError e = load_error(env_with(kDir + "/broken_abi.so"));
    CHECK(e.kind() == ErrorKind::AbiMismatch);
    CHECK(std::string(e.what()).find("the module was built for ABI 2.3 but this host speaks ABI 1.2") !=
          std::string::npos);
}

TEST_CASE("failure: a provider that throws in create") {
    LoadError e = load_error(env_with("broken_throws:ThrowingProvider"));
    CHECK(e.kind() == ErrorKind::CreateFailed);
    CHECK(std::string(e.what()).find("ThrowingProvider (") == 0);
    CHECK(std::string(e.what()).find("refused its settings: upstream identity service is unreachable") !=
          std::string::npos);
}

TEST_CASE("failure: settings invalid (missing required, bad value) and create refusing them") {
    LoadError e = load_error(env_with("hello:HelloProvider"));
    CHECK(e.kind() == ErrorKind::SettingsInvalid);
    CHECK(std::string(e.what()).find("FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN: required by HelloProvider") == 0);
    e = load_error(env_with("hello:HelloProvider", {{"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "t"},
                                                    {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_LEEWAY", "soon"}}));
    CHECK(e.kind() == ErrorKind::SettingsInvalid);
    CHECK(std::string(e.what()).find("FASTMCP_SERVER_AUTH_HELLOPROVIDER_LEEWAY: not a duration") == 0);
    e = load_error(env_with("hello:HelloProvider", {{"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "t"},
                                                    {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_FAIL_CREATE", "yes"}}));
    CHECK(e.kind() == ErrorKind::CreateFailed);
    CHECK(std::string(e.what()).find("FAIL_CREATE is true") != std::string::npos);
}

TEST_CASE("failure: empty or invalid FASTMCP_SERVER_AUTH is an error, never no-auth") {
    CHECK(load_error(env_with("")).kind() == ErrorKind::InvalidValue);
    CHECK(load_error(env_with("hello")).kind() == ErrorKind::InvalidValue);
}

TEST_CASE("a FASTMCP_SERVER_AUTH from a .env file is named with file:line in errors") {
    auto file = fastmcp::env::parse_env_text("\nFASTMCP_SERVER_AUTH=nosuch:X\n", "conf.env");
    LoadError e = load_error(Environment({}, file));
    CHECK(std::string(e.what()).find("conf.env:2: FASTMCP_SERVER_AUTH='nosuch:X'") == 0);
}

TEST_CASE("scan_modules lists loadable modules and reports the broken ones") {
    std::vector<std::string> errors;
    auto mods = scan_modules(kPath, &errors);
    std::vector<std::string> names;
    for (auto &m : mods) names.push_back(m->name());
    // Other test modules may share the directory; these three must load, the three broken ones not.
    for (const char *want : {"broken_throws", "duo", "hello"})
        CHECK_MESSAGE(std::find(names.begin(), names.end(), want) != names.end(), want);
    for (const char *broken : {"broken_abi", "broken_noentry", "broken_unresolved"})
        CHECK_MESSAGE(std::find(names.begin(), names.end(), broken) == names.end(), broken);
    CHECK(errors.size() == 3); // abi, noentry, unresolved
}
