#include <doctest/doctest.h>

#include "log_format.hpp"
#include "metrics.hpp"
#include "metrics_text.hpp"
#include "provider_health.hpp"
#include "readiness.hpp"
#include "request_id.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

using namespace fastmcp::ops;

namespace {

// A small parser for the text exposition format: "# HELP/TYPE" lines and samples
// `name{labels} value`. Fails the test on any line it cannot read; returns name{labels} -> value.
std::map<std::string, double> parse_exposition(const std::string &text) {
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*)\})? ([-+0-9.eE]+|\+Inf|NaN)$)");
    static const std::regex type(
        R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
    std::map<std::string, double> out;
    std::map<std::string, std::string> types;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (line.rfind("# HELP ", 0) == 0) continue;
        if (std::regex_match(line, m, type)) {
            CHECK_MESSAGE(!types.count(m[1]), "family typed twice: " << line);
            types[m[1]] = m[2];
            if (m[2] == "counter") CHECK_MESSAGE(std::string(m[1]).ends_with("_total"), line);
            continue;
        }
        REQUIRE_MESSAGE(std::regex_match(line, m, sample), "unreadable line: " << line);
        std::string name = m[1];
        std::string family = name;
        for (const char *suffix : {"_bucket", "_sum", "_count"})
            if (!types.count(family) && family.ends_with(suffix))
                family = family.substr(0, family.size() - std::string(suffix).size());
        CHECK_MESSAGE(types.count(family), "sample before its # TYPE: " << line);
        CHECK_MESSAGE(!out.count(name + m[2].str()), "duplicate sample: " << line);
        out[name + m[2].str()] = std::stod(m[5]);
    }
    return out;
}

} // namespace

TEST_CASE("request counters and the latency histogram read exactly what was recorded") {
    auto m = std::make_unique<Metrics>();
    for (int i = 0; i < 3; ++i)
        m->request(Route::mcp, Method::post, 200, 0.0002);
    for (int i = 0; i < 2; ++i)
        m->request(Route::mcp, Method::post, 401, 0.003);
    m->request(Route::healthz, method_of("GET"), 200, 0.00001);
    m->request(Route::not_found, method_of("BREW"), 999, 1.0);
    CHECK(m->requests(Route::mcp, Method::post, 200) == 3);
    CHECK(m->requests(Route::mcp, Method::post, 401) == 2);
    CHECK(m->requests(Route::mcp, Method::get, 200) == 0);

    const auto s = parse_exposition(render_metrics(*m, {}));
    CHECK(s.at(R"(fastmcp_http_requests_total{route="mcp",method="POST",status="200"})") == 3);
    CHECK(s.at(R"(fastmcp_http_requests_total{route="mcp",method="POST",status="401"})") == 2);
    CHECK(s.at(R"(fastmcp_http_requests_total{route="healthz",method="GET",status="200"})") == 1);
    CHECK(s.at(R"(fastmcp_http_requests_total{route="not_found",method="other",status="other"})") ==
          1);
    CHECK(s.count(R"(fastmcp_http_requests_total{route="mcp",method="GET",status="200"})") == 0);
    // Cumulative buckets: 0.00001 <= 0.0001; 3 x 0.0002 <= 0.00025; 2 x 0.003 <= 0.005; 1.0 <= 2.5.
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="0.0001"})") == 1);
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="0.00025"})") == 4);
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="0.0025"})") == 4);
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="0.005"})") == 6);
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="0.5"})") == 6);
    CHECK(s.at(R"(fastmcp_http_request_duration_seconds_bucket{le="+Inf"})") == 7);
    CHECK(s.at("fastmcp_http_request_duration_seconds_count") == 7);
    CHECK(s.at("fastmcp_http_request_duration_seconds_sum") ==
          doctest::Approx(3 * 0.0002 + 2 * 0.003 + 0.00001 + 1.0).epsilon(1e-6));
    // Auth off: no verify families.
    CHECK(s.count(R"(fastmcp_auth_verifications_total{reason="ok"})") == 0);
}

TEST_CASE("verdicts by reason, provider counters, gauges") {
    auto m = std::make_unique<Metrics>();
    m->verdict(FASTMCP_REASON_OK, 0.001);
    m->verdict(FASTMCP_REASON_EXPIRED, 0.001);
    m->verdict(FASTMCP_REASON_EXPIRED, 0.001);
    m->verdict(12345, 0.001); // out of range counts as internal_error
    ScrapeInput in;
    in.open_connections = 1; // read from the HTTP server and the session store at scrape time
    in.sessions = 7;
    in.auth = true;
    in.ready = false;
    in.stuck_calls = 2;
    in.reloads_succeeded = 3;
    in.reloads_failed = 1;
    in.now_s = 1000;
    in.provider = parse_provider_health(
        R"({"health":{"ready":true,"keys":3,"jwks_uri":"https://idp.example/jwks","fetched_at":990,
             "fetches":4,"failures":1,"cache_hits":10,"cache_misses":5}})");
    const auto s = parse_exposition(render_metrics(*m, in));
    CHECK(s.at(R"(fastmcp_auth_verifications_total{reason="ok"})") == 1);
    CHECK(s.at(R"(fastmcp_auth_verifications_total{reason="expired"})") == 2);
    CHECK(s.at(R"(fastmcp_auth_verifications_total{reason="internal_error"})") == 1);
    CHECK(s.at("fastmcp_auth_verify_duration_seconds_count") == 4);
    CHECK(s.at("fastmcp_auth_token_cache_hits_total") == 10);
    CHECK(s.at("fastmcp_auth_token_cache_misses_total") == 5);
    CHECK(s.at(R"(fastmcp_jwks_fetches_total{outcome="ok"})") == 3);
    CHECK(s.at(R"(fastmcp_jwks_fetches_total{outcome="error"})") == 1);
    CHECK(s.at("fastmcp_jwks_keys") == 3);
    CHECK(s.at("fastmcp_jwks_last_success_age_seconds") == 10);
    CHECK(s.at("fastmcp_provider_stuck_calls") == 2);
    CHECK(s.at("fastmcp_open_connections") == 1);
    CHECK(s.at("fastmcp_sessions") == 7);
    CHECK(s.at("fastmcp_ready") == 0);
    CHECK(s.at(R"(fastmcp_auth_reloads_total{outcome="success"})") == 3);
    CHECK(s.at(R"(fastmcp_auth_reloads_total{outcome="failure"})") == 1);
    // Nothing from the provider's configuration reaches the exposition.
    CHECK(render_metrics(*m, in).find("idp.example") == std::string::npos);
}

TEST_CASE("readiness: stable reasons, fail closed") {
    ReadinessInput in;
    CHECK(decide_readiness(in).ready); // auth off
    in.draining = true;
    CHECK(std::string(decide_readiness(in).reason) == "draining");
    in.draining = false;
    in.auth = true;
    CHECK(std::string(decide_readiness(in).reason) == "provider_not_ready"); // nothing described
    in.health = parse_provider_health(R"({"health":{"ready":false,"keys":0,"jwks_uri":null,
                                          "last_error":"connection refused to https://x"}})");
    auto r = decide_readiness(in);
    CHECK_FALSE(r.ready);
    CHECK(std::string(r.reason) == "keys_unavailable");
    CHECK(readiness_body(r) == R"({"status":"not_ready","reason":"keys_unavailable"})");
    in.health = parse_provider_health(
        R"({"introspection_url":"https://x","health":{"ready":false,"requests":3,"failures":3}})");
    CHECK(std::string(decide_readiness(in).reason) == "introspection_unavailable");
    in.health = parse_provider_health(R"({"health":{"ready":false,"tokens":0}})");
    CHECK(std::string(decide_readiness(in).reason) == "provider_not_ready");
    in.health = parse_provider_health(R"({"health":{"ready":true,"keys":2,"fetches":1}})");
    CHECK(decide_readiness(in).ready);
    CHECK(readiness_body(decide_readiness(in)) == R"({"status":"ready"})");
    in.provider_stuck = true;
    CHECK(std::string(decide_readiness(in).reason) == "provider_stuck");
    in.provider_stuck = false;
    in.health = parse_provider_health(R"({"resource":"x"})"); // described, no health report
    CHECK(decide_readiness(in).ready);
    in.health = parse_provider_health("not json");
    CHECK_FALSE(decide_readiness(in).ready);
}

TEST_CASE("request ids: a safe client id is kept, anything else replaced") {
    CHECK(request_id_for("abc-123_x.y:z") == "abc-123_x.y:z");
    CHECK(request_id_for(std::string(64, 'a')) == std::string(64, 'a'));
    for (std::string bad : {std::string(65, 'a'), std::string("a b"), std::string("a\"b"),
                            std::string("a\r\nSet-Cookie: x"), std::string("ü"), std::string()}) {
        const std::string id = request_id_for(bad);
        CHECK(id != bad);
        CHECK(std::regex_match(id, std::regex("[0-9a-f]{16}")));
    }
    std::set<std::string> ids;
    for (int i = 0; i < 1000; ++i)
        ids.insert(generate_request_id());
    CHECK(ids.size() == 1000);
}

TEST_CASE("JSON log lines are one valid JSON object with the agreed fields") {
    CHECK(format_time(1764644645678) == "2025-12-02T03:04:05.678Z");
    const std::string plain =
        json_log_line(0, "WARNING", "quote \" backslash \\ newline \n \x01 é");
    CHECK(plain.find('\n') == std::string::npos);
    auto j = nlohmann::json::parse(plain);
    CHECK(j["time"] == "1970-01-01T00:00:00.000Z");
    CHECK(j["level"] == "WARNING");
    CHECK(j["message"].get<std::string>().starts_with("quote \" backslash \\ newline \n \x01 "));

    AccessFields f;
    f.request_id = "r-1";
    f.client = "127.0.0.1:5000";
    f.method = "POST";
    f.path = "/mcp";
    f.route = "mcp";
    f.status = 401;
    f.bytes = 12;
    f.latency_ms = 1.25;
    f.reason = "expired";
    auto a = nlohmann::json::parse(json_access_line(1764644645678, f));
    CHECK(a["level"] == "INFO");
    CHECK(a["message"] == "access");
    CHECK(a["request_id"] == "r-1");
    CHECK(a["route"] == "mcp");
    CHECK(a["status"] == 401);
    CHECK(a["latency_ms"] == doctest::Approx(1.25));
    CHECK(a["reason"] == "expired");
    f.reason = {};
    CHECK_FALSE(nlohmann::json::parse(json_access_line(0, f)).contains("reason"));
    CHECK(text_access_line(f) == "access 127.0.0.1:5000 POST /mcp 401 12 1.2ms id=r-1");

    LogFormat fmt = LogFormat::text;
    CHECK(parse_log_format("json", fmt));
    CHECK(fmt == LogFormat::json);
    CHECK_FALSE(parse_log_format("JSON!", fmt));
}
