// HelloProvider: a complete provider built against the plugin_api headers and the standard library
// only, to prove the ABI stands alone. It accepts exactly one opaque token (TOKEN) and exercises
// every settings field type, so the loader, `auth config` and the matrix can be tested end to end.
#include "fastmcp/provider.hpp"

#include "mini_json.hpp"

#include <memory>
#include <string>

namespace {
using namespace fastmcp::plugin;
using namespace test_providers;

class Hello : public Provider {
public:
    Hello(Host host, std::string_view settings) : host_(host) {
        token_ = get_string(settings, "token");
        greeting_ = get_string(settings, "greeting", "hello");
        base_url_ = get_string(settings, "base_url");
        health_url_ = get_string(settings, "health_url");
        scopes_ = get_strings(settings, "scopes");
        if (token_.empty()) throw ConfigError("FASTMCP_SERVER_AUTH_HELLOPROVIDER_TOKEN: must not be empty");
        if (get_raw(settings, "fail_create") == "true")
            throw ConfigError("FASTMCP_SERVER_AUTH_HELLOPROVIDER_FAIL_CREATE is true: refusing to start");
        host_.log(FASTMCP_LOG_INFO, "HelloProvider created");
    }

    Verdict verify(std::string_view token) override {
        if (token.empty()) return Verdict::reject(FASTMCP_REASON_MISSING_TOKEN, "no token");
        if (token != token_) return Verdict::reject(FASTMCP_REASON_UNKNOWN_TOKEN, "unknown token");
        auto t = std::make_shared<VerifiedToken>();
        t->token = std::string(token);
        t->subject = "hello-user";
        t->client_id = "hello-client";
        t->scopes = scopes_;
        t->claims_json = "{\"sub\":\"hello-user\"}";
        return Verdict::ok(std::move(t));
    }

    std::string describe_json() override {
        bool ready = true;
        std::string detail = "ok";
        if (!health_url_.empty()) { // a network probe, so `auth config --check` has something to wait for
            HttpResponse r = host_.get(health_url_, 2000, 4096);
            ready = r.status == 200;
            detail = ready ? "probe ok" : "probe failed: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error);
            host_.log(FASTMCP_LOG_WARNING, "HelloProvider health probe: " + detail);
        }
        std::string scopes = "[";
        for (size_t i = 0; i < scopes_.size(); ++i) scopes += (i ? "," : "") + quote(scopes_[i]);
        scopes += "]";
        return "{\"resource\":" + quote(base_url_ + std::string(host_.mcp_path())) +
               ",\"greeting\":" + quote(greeting_) + ",\"required_scopes\":" + scopes +
               ",\"routes\":[\"/hello\"],\"warnings\":[],\"health\":{\"ready\":" + (ready ? "true" : "false") +
               ",\"detail\":" + quote(detail) + "}}";
    }

    bool handle_route(const RouteRequest &req, RouteResponse &out) override {
        if (req.path != "/hello") return false;
        out.body = "{\"greeting\":" + quote(greeting_) + "}";
        return true;
    }

private:
    Host host_;
    std::string token_, greeting_, base_url_, health_url_;
    std::vector<std::string> scopes_;
};

const fastmcp_setting_field kFields[] = {
    field("TOKEN", FASTMCP_FIELD_STRING, FASTMCP_FIELD_REQUIRED | FASTMCP_FIELD_SECRET, nullptr,
          "the one opaque token this provider accepts", "s3cret"),
    field("GREETING", FASTMCP_FIELD_STRING, 0, "hello", "served at /hello"),
    field("BASE_URL", FASTMCP_FIELD_URL, 0, nullptr, "public URL of the server", "http://localhost:8000"),
    field("SCOPES", FASTMCP_FIELD_SCOPES, 0, "", "scopes granted to the token", "read write"),
    field("LEEWAY", FASTMCP_FIELD_DURATION, 0, "60s", "clock leeway"),
    field("MAX_TOKENS", FASTMCP_FIELD_INT, 0, "10", "an integer setting"),
    field("DEBUG", FASTMCP_FIELD_BOOL, 0, "false", "a boolean setting"),
    field("AUDIENCES", FASTMCP_FIELD_LIST, 0, nullptr, "a list setting (duplicates kept)"),
    field("EXTRA", FASTMCP_FIELD_JSON, 0, nullptr, "a JSON setting"),
    field("HEALTH_URL", FASTMCP_FIELD_URL, 0, nullptr, "probed by describe() when set"),
    field("FAIL_CREATE", FASTMCP_FIELD_BOOL, 0, "false", "make create() fail (tests)"),
};

const fastmcp_provider_desc kHello = make_provider_desc<Hello>(
    "HelloProvider", "FASTMCP_SERVER_AUTH_HELLOPROVIDER_", "accepts one static token (test provider)", kFields,
    sizeof kFields / sizeof kFields[0]);

} // namespace

FASTMCP_AUTH_MODULE("hello", "1.0", &kHello);
