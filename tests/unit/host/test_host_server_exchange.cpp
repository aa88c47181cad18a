// ParsedRequest's field view and BufferedResponse's fixed fields (host/http/server_exchange).
#include <doctest/doctest.h>

#include "http/request_head.hpp"
#include "http/server_exchange.hpp"

#include <Poco/Net/HTTPServerParams.h>

#include <optional>
#include <string>

using namespace fastmcp::host;

namespace {

struct Parsed {
    Poco::Net::SocketAddress client, server;
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    BufferedResponse response;
    std::optional<ParsedRequest> request;

    explicit Parsed(std::string head) {
        RequestHead h;
        REQUIRE(parse_request_head(head, {}, h) == 0);
        request.emplace(h, response, client, server, *params);
        head.assign(head.size(), 'x'); // the loop reuses its read buffer: the request owns a copy
    }
};

} // namespace

TEST_CASE("fields: case-insensitive lookup of the first occurrence, arrival order kept") {
    Parsed p("POST /mcp?a=1 HTTP/1.1\r\nHost: h\r\nauthorization: Bearer one\r\n"
             "X-Multi: 1\r\nAUTHORIZATION: Bearer two\r\nContent-Type: application/json\r\n\r\n");
    const ParsedRequest &r = *p.request;
    CHECK(r.getMethod() == "POST");
    CHECK(r.getURI() == "/mcp?a=1");
    CHECK(r.field("Authorization") == "Bearer one");
    CHECK(r.field("x-multi") == "1");
    CHECK(r.field("Accept", "fallback") == "fallback");
    CHECK(r.field("Accept").empty());
    CHECK(r.getContentType() == "application/json");
    REQUIRE(r.fields().size() == 5);
    CHECK(r.fields()[0].first == "Host");
    CHECK(r.fields()[3].first == "AUTHORIZATION");
    CHECK(r.fields()[3].second == "Bearer two");
}

TEST_CASE("keep-alive and 100-continue as Poco's HTTPMessage reads them") {
    CHECK(Parsed("GET / HTTP/1.1\r\nHost: h\r\n\r\n").request->getKeepAlive());
    CHECK_FALSE(
        Parsed("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").request->getKeepAlive());
    CHECK_FALSE(Parsed("GET / HTTP/1.0\r\n\r\n").request->getKeepAlive());
    CHECK(Parsed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request->getKeepAlive());
    CHECK(Parsed("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")
              .request->getExpectContinue());
    CHECK_FALSE(Parsed("GET / HTTP/1.1\r\nHost: h\r\n\r\n").request->getExpectContinue());
}

TEST_CASE("fixed response fields are written once; set_field replaces one of the same name") {
    BufferedResponse r;
    r.add_fixed("Date", "Wed, 02 Dec 2026 18:00:00 GMT");
    r.add_fixed("Access-Control-Allow-Origin", "*");
    r.add_fixed("X-Request-Id", "abc");
    r.set_field("access-control-allow-origin", "https://app.example");
    r.set("Content-Type", "application/json");
    r.set_body("{}");
    const std::string out = r.serialize(false);
    CHECK(out.find("Date: Wed, 02 Dec 2026 18:00:00 GMT\r\n") != std::string::npos);
    CHECK(out.find("X-Request-Id: abc\r\n") != std::string::npos);
    CHECK(out.find("Access-Control-Allow-Origin: *") == std::string::npos);
    CHECK(out.find("access-control-allow-origin: https://app.example\r\n") != std::string::npos);
    CHECK(out.find("Content-Length: 2\r\n") != std::string::npos);
    CHECK(out.substr(out.size() - 6) == "\r\n\r\n{}");
}
