// Provider trust (loader/include/fastmcp/loader/path_trust.hpp): a module that another user could
// have written or could swap is refused with ErrorKind::UntrustedPath and a message that says why
// and how to fix it, unless FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH=1 is in the process environment.
#include "fastmcp/loader.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace fastmcp::loader;
using fastmcp::env::Environment;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

struct NoHost {
    fastmcp_host_api api{};
    NoHost() {
        api.struct_size = sizeof api;
        api.log = [](void *, int, const char *, size_t) {};
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

// A private (0700, mkdtemp) directory holding a copy of hello.so at <dir>/sub/hello.so.
struct ModuleCopy {
    std::string dir, sub, file;
    ModuleCopy() {
        char t[] = "/tmp/fastmcp-trust-XXXXXX";
        REQUIRE(mkdtemp(t));
        dir = t;
        sub = dir + "/sub";
        fs::create_directory(sub);
        chmod(sub.c_str(), 0755);
        file = sub + "/hello.so";
        fs::copy_file(std::string(FASTMCP_TEST_PROVIDER_DIR) + "/hello.so", file);
        chmod(file.c_str(), 0755);
    }
    ~ModuleCopy() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Environment env(std::map<std::string, std::string> more = {}) const {
        more["FASTMCP_SERVER_AUTH"] = file + ":HelloProvider";
        more["FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN"] = "tok";
        return Environment(std::move(more), std::nullopt);
    }
};

std::unique_ptr<ProviderHandle> load(const Environment &env) {
    static NoHost host;
    return load_provider(env, {}, &host.api);
}

LoadError refusal(const Environment &env) {
    try {
        load(env);
    } catch (const LoadError &e) {
        return e;
    }
    FAIL("expected the module to be refused");
    return LoadError(ErrorKind::InvalidValue, "");
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST_CASE("a module in a private directory loads, with no warning") {
    ModuleCopy m;
    auto h = load(m.env());
    REQUIRE(h);
    CHECK(h->warnings().empty());
    CHECK(h->verify("tok").reason == FASTMCP_REASON_OK);
}

TEST_CASE("a world-writable module file is refused: untrusted_path, why and the chmod fix") {
    ModuleCopy m;
    chmod(m.file.c_str(), 0757);
    LoadError e = refusal(m.env());
    CHECK(e.kind() == ErrorKind::UntrustedPath);
    CHECK(std::string(error_kind_name(e.kind())) == "untrusted_path");
    const std::string what = e.what();
    CHECK(contains(what, m.file));
    CHECK(contains(what, "world-writable (mode 0757)"));
    CHECK(contains(what, "chmod o-w " + m.file));
    CHECK(contains(what, "FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH=1"));
}

TEST_CASE("a module in a world-writable directory is refused; a sticky one (like /tmp) is accepted") {
    ModuleCopy m;
    chmod(m.sub.c_str(), 0777);
    LoadError e = refusal(m.env());
    CHECK(e.kind() == ErrorKind::UntrustedPath);
    CHECK(contains(e.what(), "the directory " + m.sub + " is world-writable (mode 0777) without the sticky bit"));
    CHECK(contains(e.what(), "chmod o-w " + m.sub));
    // A world-writable grandparent is just as bad: it can rename `sub` away.
    chmod(m.sub.c_str(), 0755);
    chmod(m.dir.c_str(), 0777);
    CHECK(refusal(m.env()).kind() == ErrorKind::UntrustedPath);
    chmod(m.dir.c_str(), 01777);
    chmod(m.sub.c_str(), 01777);
    CHECK(load(m.env()) != nullptr);
}

TEST_CASE("a symlink is judged by its target") {
    ModuleCopy m;
    const std::string link = m.dir + "/link.so";
    fs::create_symlink(m.file, link);
    auto env = Environment({{"FASTMCP_SERVER_AUTH", link + ":HelloProvider"}, {"FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN", "t"}},
                           std::nullopt);
    CHECK(load(env) != nullptr);
    chmod(m.file.c_str(), 0777);
    CHECK(refusal(env).kind() == ErrorKind::UntrustedPath);
}

TEST_CASE("a module or directory owned by another user is refused (needs root to chown)") {
    if (geteuid() != 0) {
        MESSAGE("skipped: not running as root, cannot chown a file to another user");
        return;
    }
    ModuleCopy m;
    REQUIRE(chown(m.file.c_str(), kNobody, static_cast<gid_t>(-1)) == 0);
    LoadError e = refusal(m.env());
    CHECK(e.kind() == ErrorKind::UntrustedPath);
    CHECK(contains(e.what(), "owned by uid 65534"));
    CHECK(contains(e.what(), "chown 0 " + m.file));
    REQUIRE(chown(m.file.c_str(), 0, static_cast<gid_t>(-1)) == 0);
    REQUIRE(chown(m.sub.c_str(), kNobody, static_cast<gid_t>(-1)) == 0);
    e = refusal(m.env());
    CHECK(contains(e.what(), "the directory " + m.sub + " is owned by uid 65534"));
}

TEST_CASE("FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH=1 loads it anyway, with a warning; a .env value does not count") {
    ModuleCopy m;
    chmod(m.file.c_str(), 0777);
    auto h = load(m.env({{"FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH", "1"}}));
    REQUIRE(h);
    REQUIRE(!h->warnings().empty());
    CHECK(contains(h->warnings().front(), "FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH is set: loading " + m.file));
    CHECK(contains(h->warnings().front(), "world-writable"));
    CHECK(refusal(m.env({{"FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH", "0"}})).kind() == ErrorKind::UntrustedPath);

    const std::string env_file = m.dir + "/.env";
    {
        std::ofstream(env_file) << "FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH=1\n";
    }
    const char *const no_process_env[] = {nullptr};
    auto from_file = Environment::load(no_process_env, env_file);
    REQUIRE(from_file.get("FASTMCP_ALLOW_UNSAFE_PROVIDER_PATH"));
    CHECK_FALSE(allow_unsafe_provider_path(from_file));
}

TEST_CASE("scan_modules reports an untrusted module as an error instead of opening it") {
    ModuleCopy m;
    chmod(m.sub.c_str(), 0777);
    std::vector<std::string> errors;
    auto mods = scan_modules({m.sub}, &errors);
    CHECK(mods.empty());
    REQUIRE(errors.size() == 1);
    CHECK(contains(errors[0], "refusing to load provider module"));
    errors.clear();
    CHECK(scan_modules({m.sub}, &errors, true).size() == 1);
    CHECK(errors.empty());
}
