// FASTMCP_MODULE: the one exported symbol, in a real shared object (build/examples/quickstart.so,
// the README's module) and in this test binary; and the README still shows that module verbatim.
#include "fake_host.hpp"

#include "fastmcp/module.hpp"

#include <doctest/doctest.h>

#include <dlfcn.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace fastmcp::module;
using nlohmann::json;

namespace {

std::string slurp(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool g_fail_setup = false;

} // namespace

FASTMCP_MODULE(server, "Entry test", "0.1.0") {
    if (g_fail_setup) throw std::runtime_error("MY_SETTING: not set");
    server.tool("echo", "", [](const Args &a) { return a.get<std::string>("text"); });
}

TEST_CASE("FASTMCP_MODULE defines the entry symbol: descriptor, register_tools, setup errors stop "
          "the server") {
    const fastmcp_server_module *m = fastmcp_server_module_entry();
    REQUIRE(m != nullptr);
    CHECK(m->abi_major == FASTMCP_SERVER_MODULE_ABI_MAJOR);
    CHECK(m->abi_minor == FASTMCP_SERVER_MODULE_ABI_MINOR);
    CHECK(m->struct_size == sizeof(fastmcp_server_module));
    CHECK(std::string(m->name) == "Entry test");
    CHECK(std::string(m->version) == "0.1.0");
    CHECK(m->instructions == nullptr);

    fake::Host host;
    REQUIRE(m->register_tools(&host.api) == 0);
    CHECK(host.call("echo", R"({"text":"hi"})").text() == "hi");

    fake::Host failing;
    g_fail_setup = true;
    CHECK(m->register_tools(&failing.api) == 1);
    g_fail_setup = false;
    CHECK(failing.server_log == std::vector<std::string>{"MY_SETTING: not set"});
    CHECK(failing.tools.empty()); // nothing half-registered
}

TEST_CASE("quickstart.so (the README's module) loads and serves through the layer") {
    const std::string path = std::string(FASTMCP_BINARY_DIR) + "/examples/quickstart.so";
    void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(handle != nullptr, ::dlerror());
    auto entry = reinterpret_cast<fastmcp_server_module_fn>(
        ::dlsym(handle, FASTMCP_SERVER_MODULE_ENTRY_SYMBOL));
    const bool found = entry != nullptr;
    REQUIRE(found);
    const fastmcp_server_module *m = entry();
    CHECK(std::string(m->name) == "Quickstart");
    CHECK(std::string(m->instructions) == "A tool, a resource and a prompt.");
    {
        fake::Host host;
        REQUIRE(m->register_tools(&host.api) == 0);
        auto a = host.call("add", R"({"a":2,"b":3.5})");
        CHECK(a.structured == json{{"sum", 5.5}});
        CHECK(host.call("add", R"({"a":"2","b":3})").text() ==
              "argument 'a' must be a number, got string");
        CHECK(host.tools.at("whoami").scopes == std::vector<std::string>{"profile"});
        host.token.emplace();
        CHECK(host.call("whoami").text() == "user-1");
        CHECK(host.client_log.size() == 1);
        CHECK(host.read("config://version").result[0]["data"] == "1.0.0");
        CHECK(
            host.get_prompt("review", R"({"code":"x"})").result["messages"][0]["content"]["text"] ==
            "Please review this code:\nx");
    }
    ::dlclose(handle);
}

TEST_CASE(
    "README.md shows examples/quickstart_module/quickstart_module.cpp verbatim, under 30 lines") {
    const std::string source = slurp(std::string(FASTMCP_SOURCE_DIR) +
                                     "/examples/quickstart_module/quickstart_module.cpp");
    const std::string readme = slurp(std::string(FASTMCP_SOURCE_DIR) + "/README.md");
    REQUIRE_FALSE(source.empty());
    CHECK(readme.find("```cpp\n" + source + "```") != std::string::npos);
    CHECK(std::count(source.begin(), source.end(), '\n') < 30);
}
