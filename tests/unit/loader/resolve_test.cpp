// FASTMCP_SERVER_AUTH resolution (no dlopen: the candidate files are empty placeholders).
#include "fastmcp/loader/load_error.hpp"
#include "fastmcp/loader/resolve.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace fastmcp::loader;
namespace fs = std::filesystem;

namespace {
struct Dirs {
    fs::path root;
    std::string a, b;
    Dirs() {
        char tmpl[] = "/tmp/fastmcp-resolve-XXXXXX";
        root = ::mkdtemp(tmpl);
        a = (root / "a").string();
        b = (root / "b").string();
        fs::create_directories(a);
        fs::create_directories(b);
        touch(a + "/workos.so");
        touch(b + "/workos.so");
        touch(b + "/jwt.so");
        touch(b + "/my-mod.so");
    }
    ~Dirs() { fs::remove_all(root); }
    static void touch(const std::string &p) { std::ofstream(p) << ""; }
    std::vector<std::string> path() const { return {a, b}; }
};

LoadError error_of(const std::string &value, const std::vector<std::string> &path) {
    try {
        resolve(value, path);
    } catch (const LoadError &e) {
        return e;
    }
    FAIL("expected LoadError for " << value);
    return LoadError(ErrorKind::InvalidValue, "");
}
} // namespace

TEST_CASE("FastMCP names: fastmcp.server.auth.providers.<module>.<Class>") {
    Dirs d;
    Resolved r = resolve("fastmcp.server.auth.providers.workos.AuthKitProvider", d.path());
    CHECK(r.module_path == d.a + "/workos.so"); // first directory wins
    CHECK(r.class_name == "AuthKitProvider");
    CHECK(r.tried == std::vector<std::string>{d.a + "/workos.so"});
    r = resolve("fastmcp.server.auth.providers.jwt.JWTVerifier", d.path());
    CHECK(r.module_path == d.b + "/jwt.so");
    CHECK(r.class_name == "JWTVerifier");
    CHECK(r.tried == std::vector<std::string>{d.a + "/jwt.so", d.b + "/jwt.so"});
}

TEST_CASE("FastMCP's own path of OIDCProxy (outside its providers package) names oidc_proxy.so") {
    Dirs d;
    Dirs::touch(d.b + "/oidc_proxy.so");
    Resolved r = resolve("fastmcp.server.auth.oidc_proxy.OIDCProxy", d.path());
    CHECK(r.module_path == d.b + "/oidc_proxy.so");
    CHECK(r.class_name == "OIDCProxy");
    CHECK(resolve("fastmcp.server.auth.providers.oidc_proxy.OIDCProxy", d.path()).module_path == d.b + "/oidc_proxy.so");
}

TEST_CASE("FastMCP's WorkOSProvider (same Python module as AuthKitProvider) names workos_connect.so") {
    Dirs d;
    Dirs::touch(d.a + "/workos.so");
    Dirs::touch(d.b + "/workos_connect.so");
    Resolved r = resolve("fastmcp.server.auth.providers.workos.WorkOSProvider", d.path());
    CHECK(r.module_path == d.b + "/workos_connect.so");
    CHECK(r.class_name == "WorkOSProvider");
    // AuthKitProvider still comes from workos.so, and the module's own name works too.
    CHECK(resolve("fastmcp.server.auth.providers.workos.AuthKitProvider", d.path()).module_path == d.a + "/workos.so");
    CHECK(resolve("workos_connect:WorkOSProvider", d.path()).module_path == d.b + "/workos_connect.so");
    // Without the module installed, the error names the module that was looked for.
    Dirs without;
    const LoadError e = error_of("fastmcp.server.auth.providers.workos.WorkOSProvider", without.path());
    CHECK(std::string(e.what()).find("workos_connect.so") != std::string::npos);
}

TEST_CASE("fastmcp_name gives FastMCP's own name back, aliases included") {
    CHECK(fastmcp_name("workos_connect", "WorkOSProvider") == "fastmcp.server.auth.providers.workos.WorkOSProvider");
    CHECK(fastmcp_name("oidc_proxy", "OIDCProxy") == "fastmcp.server.auth.oidc_proxy.OIDCProxy");
    CHECK(fastmcp_name("workos", "AuthKitProvider") == "fastmcp.server.auth.providers.workos.AuthKitProvider");
    CHECK(fastmcp_name("google", "GoogleProvider") == "fastmcp.server.auth.providers.google.GoogleProvider");
}

TEST_CASE("module:Class and module.Class on the search path") {
    Dirs d;
    CHECK(resolve("jwt:JWTVerifier", d.path()).module_path == d.b + "/jwt.so");
    CHECK(resolve("jwt.JWTVerifier", d.path()).class_name == "JWTVerifier");
    CHECK(resolve("my-mod:X", d.path()).module_path == d.b + "/my-mod.so");
    CHECK(resolve("  workos:AuthKitProvider  ", d.path()).class_name == "AuthKitProvider");
}

TEST_CASE("explicit .so paths, with and without a class") {
    Dirs d;
    Resolved r = resolve(d.b + "/jwt.so:JWTVerifier", {});
    CHECK(r.module_path == d.b + "/jwt.so");
    CHECK(r.class_name == "JWTVerifier");
    r = resolve(d.b + "/jwt.so", {});
    CHECK(r.module_path == d.b + "/jwt.so");
    CHECK(r.class_name.empty());
    // relative paths are taken from the working directory and made absolute
    fs::path old = fs::current_path();
    fs::current_path(d.root);
    r = resolve("b/./jwt.so:JWTVerifier", {});
    fs::current_path(old);
    CHECK(r.module_path == d.b + "/jwt.so");
}

TEST_CASE("unknown module lists every candidate, in order, and the modules that exist") {
    Dirs d;
    LoadError e = error_of("fastmcp.server.auth.providers.supabase.SupabaseProvider", d.path());
    CHECK(e.kind() == ErrorKind::UnknownModule);
    CHECK(e.tried() == std::vector<std::string>{d.a + "/supabase.so", d.b + "/supabase.so"});
    std::string m = e.what();
    CHECK(m.find("no provider module 'supabase' (supabase.so) on the search path") != std::string::npos);
    CHECK(m.find("modules found: jwt my-mod workos") != std::string::npos);
    CHECK(m.find("tried, in order:\n    1. " + d.a + "/supabase.so\n    2. " + d.b + "/supabase.so") !=
          std::string::npos);
    CHECK(std::string(error_of("nosuch:X", {}).what()).find("the search path is empty") != std::string::npos);
}

TEST_CASE("file not found for explicit paths") {
    LoadError e = error_of("/nonexistent/x.so:Cls", {});
    CHECK(e.kind() == ErrorKind::FileNotFound);
    CHECK(e.tried() == std::vector<std::string>{"/nonexistent/x.so"});
    CHECK(std::string(e.what()).find("provider module file not found: /nonexistent/x.so") != std::string::npos);
}

TEST_CASE("empty and invalid values are errors, never 'no auth'") {
    Dirs d;
    for (const char *v : {"", "   "}) {
        LoadError e = error_of(v, d.path());
        CHECK(e.kind() == ErrorKind::InvalidValue);
        CHECK(std::string(e.what()).find("FASTMCP_SERVER_AUTH is set but empty") == 0);
    }
    for (const char *v : {"workos", "fastmcp.server.auth.providers.workos", "fastmcp.server.auth.providers.a.b.C",
                          "a.b.C", "../evil:Cls", "workos:", ":Cls", "workos:Auth-Kit", "x.so:", "x.so:bad name",
                          "fastmcp.server.auth.providers..X"}) {
        CAPTURE(v);
        LoadError e = error_of(v, d.path());
        CHECK(e.kind() == ErrorKind::InvalidValue);
        CHECK(std::string(e.what()).find("accepted forms:") != std::string::npos);
    }
}

TEST_CASE("default search path: FASTMCP_PROVIDER_PATH then the install dir") {
    fastmcp::env::Environment env({{"FASTMCP_PROVIDER_PATH", "/x::/y:"}}, std::nullopt);
    auto p = default_search_path(env);
    REQUIRE(p.size() == 3);
    CHECK(p[0] == "/x");
    CHECK(p[1] == "/y");
    CHECK(p[2] == install_provider_dir());
    CHECK(install_provider_dir() ==
          (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "lib/fastmcp/providers").string());
    CHECK(default_search_path(fastmcp::env::Environment()).size() == 1);
}

TEST_CASE("error kinds have stable names") {
    CHECK(std::string(error_kind_name(ErrorKind::AbiMismatch)) == "abi_mismatch");
    CHECK(std::string(error_kind_name(ErrorKind::UnknownClass)) == "unknown_class");
    CHECK(std::string(error_kind_name(ErrorKind::MissingEntrySymbol)) == "missing_entry_symbol");
}
