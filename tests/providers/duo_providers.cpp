// Two providers in one module (like workos exporting AuthKitProvider): AlphaProvider and
// BetaProvider. Each accepts "<name>:<KEY>" so tests can tell which one answered.
#include "fastmcp/provider.hpp"

#include "mini_json.hpp"

#include <memory>
#include <string>

namespace {
using namespace fastmcp::plugin;
using namespace test_providers;

template <const char *Name> class Keyed : public Provider {
public:
    Keyed(Host, std::string_view settings) : expected_(std::string(Name) + ":" + get_string(settings, "key")) {}
    Verdict verify(std::string_view token) override {
        if (token != expected_) return Verdict::reject(FASTMCP_REASON_UNKNOWN_TOKEN, std::string(Name) + " rejects it");
        auto t = std::make_shared<VerifiedToken>();
        t->token = std::string(token);
        t->subject = Name;
        return Verdict::ok(std::move(t));
    }
    std::string describe_json() override {
        return std::string("{\"provider\":\"") + Name + "\",\"health\":{\"ready\":true}}";
    }

private:
    std::string expected_;
};

constexpr char kAlpha[] = "alpha";
constexpr char kBeta[] = "beta";

const fastmcp_setting_field kAlphaFields[] = {
    field("KEY", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED, nullptr, "alpha's key", "a1"),
};
const fastmcp_setting_field kBetaFields[] = {
    field("KEY", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED, nullptr, "beta's key", "b1"),
    field("CLIENT_SECRET", FASTMCP_FIELD_STRING, FASTMCP_FIELD_SECRET, nullptr, "a secret that is never printed"),
    field("REQUIRED_SCOPES", FASTMCP_FIELD_SCOPES, 0, nullptr, "scopes"),
};

const fastmcp_provider_desc kAlphaDesc = make_provider_desc<Keyed<kAlpha>>(
    "AlphaProvider", "FASTMCP_SERVER_AUTH_ALPHAPROVIDER_", "first of two", kAlphaFields, 1);
const fastmcp_provider_desc kBetaDesc = make_provider_desc<Keyed<kBeta>>(
    "BetaProvider", "FASTMCP_SERVER_AUTH_BETAPROVIDER_", "second of two", kBetaFields, 3);

} // namespace

FASTMCP_AUTH_MODULE("duo", "1.0", &kAlphaDesc, &kBetaDesc);
