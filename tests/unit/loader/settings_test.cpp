// Settings read generically from a provider schema (an in-test descriptor: no dlopen).
#include "fastmcp/loader/load_error.hpp"
#include "fastmcp/loader/settings.hpp"

#include <doctest/doctest.h>

using namespace fastmcp::loader;
using fastmcp::env::EnvFile;
using fastmcp::env::Environment;
using nlohmann::json;

namespace {
const fastmcp_setting_field kFields[] = {
    {sizeof(fastmcp_setting_field), "AUTHKIT_DOMAIN", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr,
     "your AuthKit domain", "https://x.authkit.app"},
    {sizeof(fastmcp_setting_field), "BASE_URL", FASTMCP_FIELD_URL, FASTMCP_FIELD_REQUIRED, nullptr, "public URL",
     nullptr},
    {sizeof(fastmcp_setting_field), "REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr, "scopes", nullptr},
    {sizeof(fastmcp_setting_field), "LEEWAY", FASTMCP_FIELD_DURATION, 0, "60", "leeway", nullptr},
    {sizeof(fastmcp_setting_field), "CLIENT_SECRET", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr, "secret",
     nullptr},
    {sizeof(fastmcp_setting_field), "AUDIENCE", FASTMCP_FIELD_STRING, 0, nullptr, "aud", nullptr},
};

fastmcp_provider_desc desc() {
    fastmcp_provider_desc d{};
    d.struct_size = sizeof d;
    d.name = "AuthKitProvider";
    d.env_prefix = "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_";
    d.fields = kFields;
    d.field_count = sizeof kFields / sizeof kFields[0];
    return d;
}

constexpr const char *P = "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_";

Environment make(std::map<std::string, std::string> proc, const std::string &file_text = "") {
    std::optional<EnvFile> f;
    if (!file_text.empty()) f = fastmcp::env::parse_env_text(file_text, "test.env");
    return Environment(std::move(proc), std::move(f));
}

std::string error_of(const Environment &env) {
    try {
        read_settings(desc(), env);
    } catch (const LoadError &e) {
        CHECK(e.kind() == ErrorKind::SettingsInvalid);
        return e.what();
    }
    FAIL("expected SettingsInvalid");
    return {};
}
} // namespace

TEST_CASE("values, types, defaults and sources") {
    auto env = make({{std::string(P) + "BASE_URL", "http://localhost:8000/"}},
                    std::string("# comment\n") + P + "AUTHKIT_DOMAIN=https://x.authkit.app\n" + P +
                        "REQUIRED_SCOPES=openid, profile openid\n");
    Settings s = read_settings(desc(), env);
    CHECK(s.values == json::parse(R"({"authkit_domain":"https://x.authkit.app","base_url":"http://localhost:8000",
                                       "required_scopes":["openid","profile"],"leeway":60})"));
    CHECK(s.sources == std::map<std::string, std::string>{{"authkit_domain", "test.env:2"},
                                                           {"base_url", "env"},
                                                           {"required_scopes", "test.env:3"},
                                                           {"leeway", "default"}});
    CHECK(s.warnings.empty());
}

TEST_CASE("required variables: the message names the variable, help and an example") {
    std::string e = error_of(make({{std::string(P) + "BASE_URL", "https://mcp.example.com"}}));
    CHECK(e == std::string(P) + "AUTHKIT_DOMAIN: required by AuthKitProvider but not set (your AuthKit domain); e.g. " +
                   P + "AUTHKIT_DOMAIN=https://x.authkit.app");
}

TEST_CASE("invalid values name the variable, and file:line when from the file") {
    std::string e = error_of(make({}, std::string(P) + "AUTHKIT_DOMAIN=https://x.authkit.app\n\n" + P +
                                          "BASE_URL=http://mcp.example.com\n"));
    CHECK(e.find(std::string("test.env:3: ") + P + "BASE_URL: http:// is allowed only for loopback hosts") == 0);
    e = error_of(make({{std::string(P) + "AUTHKIT_DOMAIN", "https://x.authkit.app"},
                       {std::string(P) + "BASE_URL", "not a url"}}));
    CHECK(e.find(std::string(P) + "BASE_URL: ") == 0);
    e = error_of(make({{std::string(P) + "AUTHKIT_DOMAIN", "https://x.authkit.app"},
                       {std::string(P) + "BASE_URL", "https://a.example"},
                       {std::string(P) + "REQUIRED_SCOPES", "[read,write]"}}));
    CHECK(e.find(std::string(P) + "REQUIRED_SCOPES: not valid JSON") == 0);
}

TEST_CASE("secrets are masked and never echoed in errors") {
    auto env = make({{std::string(P) + "AUTHKIT_DOMAIN", "https://x.authkit.app"},
                     {std::string(P) + "BASE_URL", "https://a.example"},
                     {std::string(P) + "CLIENT_SECRET", "hunter2"}});
    Settings s = read_settings(desc(), env);
    CHECK(s.values["client_secret"] == "hunter2"); // what create() receives
    CHECK(s.masked()["client_secret"] == kMask);
    CHECK(s.masked().dump().find("hunter2") == std::string::npos);
    CHECK(s.masked()["base_url"] == "https://a.example");
}

TEST_CASE("bare-host notice becomes a warning naming the variable") {
    auto env = make({{std::string(P) + "AUTHKIT_DOMAIN", "your-project-12345.authkit.app"},
                     {std::string(P) + "BASE_URL", "https://a.example"}});
    Settings s = read_settings(desc(), env);
    CHECK(s.values["authkit_domain"] == "https://your-project-12345.authkit.app");
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0] == std::string(P) + "AUTHKIT_DOMAIN: no scheme given; using https://your-project-12345.authkit.app");
}

TEST_CASE("unknown variables under the prefix: did you mean") {
    auto env = make({{std::string(P) + "AUTHKIT_DOMAIN", "https://x.authkit.app"},
                     {std::string(P) + "BASE_URL", "https://a.example"},
                     {std::string(P) + "REQUIRED_SCOPE", "read"},
                     {std::string(P) + "COMPLETELY_DIFFERENT_THING", "x"}},
                    std::string(P) + "BASEURL=x\n");
    Settings s = read_settings(desc(), env);
    REQUIRE(s.warnings.size() == 3);
    CHECK(s.warnings[0] == std::string("test.env:1: ") + P + "BASEURL: not a setting of AuthKitProvider (ignored); did you mean " + P + "BASE_URL?");
    CHECK(s.warnings[1] == std::string(P) + "COMPLETELY_DIFFERENT_THING: not a setting of AuthKitProvider (ignored)");
    CHECK(s.warnings[2] == std::string(P) + "REQUIRED_SCOPE: not a setting of AuthKitProvider (ignored); did you mean " + P + "REQUIRED_SCOPES?");
    CHECK_FALSE(s.values.contains("required_scopes")); // the misspelt one is not used
}

TEST_CASE("optional fields without a default are omitted; empty scopes are an empty list") {
    auto env = make({{std::string(P) + "AUTHKIT_DOMAIN", "https://x.authkit.app"},
                     {std::string(P) + "BASE_URL", "https://a.example"},
                     {std::string(P) + "REQUIRED_SCOPES", "  "}});
    Settings s = read_settings(desc(), env);
    CHECK_FALSE(s.values.contains("audience"));
    CHECK(s.values["required_scopes"] == json::array());
    CHECK(s.sources.count("audience") == 0);
}

TEST_CASE("names are case-sensitive: a lower-case variable is not the setting") {
    std::string e = error_of(make({{"fastmcp_server_auth_authkitprovider_authkit_domain", "https://x.authkit.app"},
                                   {std::string(P) + "BASE_URL", "https://a.example"}}));
    CHECK(e.find(std::string(P) + "AUTHKIT_DOMAIN: required") == 0);
}

TEST_CASE("edit distance") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "abc") == 0);
    CHECK(edit_distance("BASEURL", "BASE_URL") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
}
