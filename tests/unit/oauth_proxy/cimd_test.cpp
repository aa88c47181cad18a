// ClientMetadataDocuments on its own: the URL rules, the document rules, and the bounded cache.
#include "proxy_test_support.hpp"

#include "fastmcp/oauth_proxy/client_metadata_documents.hpp"

using namespace fastmcp;
using namespace fastmcp::testing;
using nlohmann::json;
using oauth_proxy::ClientMetadataDocuments;

TEST_CASE("CIMD URLs: https with a path; http only on loopback and only when allowed") {
    ProxyHost host;
    ClientMetadataDocuments strict(host.host(), {});
    oauth_proxy::CimdOptions loose_options;
    loose_options.allow_http_loopback = true;
    ClientMetadataDocuments loose(host.host(), loose_options);
    CHECK(ClientMetadataDocuments::names_document("https://a.example/c.json"));
    CHECK(ClientMetadataDocuments::names_document("http://127.0.0.1/c.json"));
    CHECK_FALSE(ClientMetadataDocuments::names_document("Zx9-random-dcr-id"));
    CHECK(strict.url_problem("https://a.example/c.json").empty());
    CHECK(strict.url_problem("https://a.example/c.json?v=1").empty());
    for (const char *bad :
         {"https://a.example", "https://a.example/", "https://u:p@a.example/c.json",
          "https://a.example/c.json#f", "https://a.example/./c.json",
          "https://a.example/x/../c.json", "https://a.example/%2e%2e/c.json",
          "http://a.example/c.json", "http://127.0.0.1/c.json", "ftp://a.example/c.json",
          "https://a.example/c json"}) {
        CAPTURE(bad);
        CHECK_FALSE(strict.url_problem(bad).empty());
    }
    CHECK(loose.url_problem("http://127.0.0.1:8/c.json").empty());
    CHECK(loose.url_problem("http://localhost/c.json").empty());
    CHECK(loose.url_problem("http://[::1]:8/c.json").empty());
    CHECK_FALSE(loose.url_problem("http://10.0.0.1/c.json").empty());
    CHECK_FALSE(loose.url_problem("http://a.example/c.json").empty());
    CHECK_FALSE(strict.url_problem("https://a.example/" + std::string(600, 'a')).empty());
}

TEST_CASE("CIMD documents: defaults, and each rule with its reason code") {
    ProxyHost host;
    ClientMetadataDocuments docs(host.host(), {});
    const std::string url = "https://a.example/c.json";
    auto ok = docs.validate(
        url, json{{"client_id", url}, {"redirect_uris", {"http://127.0.0.1/cb"}}}.dump());
    REQUIRE(ok.client);
    CHECK(ok.client->grant_types ==
          std::vector<std::string>{"authorization_code"}); // RFC 7591 default
    CHECK(ok.client->redirect_uris == std::vector<std::string>{"http://127.0.0.1/cb"});
    auto reason = [&](const json &doc) { return docs.validate(url, doc.dump()).reason; };
    const json base = {{"client_id", url}, {"redirect_uris", {"http://127.0.0.1/cb"}}};
    CHECK(reason(json{{"client_id", url + "x"}, {"redirect_uris", {"http://127.0.0.1/cb"}}}) ==
          "cimd_client_id_mismatch");
    CHECK(reason(json{{"client_id", "HTTPS://A.EXAMPLE/c.json"}, {"redirect_uris", {"x:/"}}}) ==
          "cimd_client_id_mismatch");
    CHECK(reason(json::array()) == "cimd_invalid_document");
    CHECK(reason(json{{"redirect_uris", {"http://127.0.0.1/cb"}}}) == "cimd_invalid_document");
    auto with = [&](const json &extra) {
        json d = base;
        d.update(extra);
        return reason(d);
    };
    CHECK(reason(base).empty());
    CHECK(with({{"client_secret", "x"}}) == "cimd_invalid_document");
    CHECK(with({{"client_secret_expires_at", 0}}) == "cimd_invalid_document");
    CHECK(with({{"token_endpoint_auth_method", "private_key_jwt"}}) == "cimd_invalid_document");
    CHECK(with({{"token_endpoint_auth_method", "none"}}).empty());
    CHECK(with({{"redirect_uris", json::array()}}) == "cimd_invalid_document");
    CHECK(with({{"redirect_uris", {1}}}) == "cimd_invalid_document");
    CHECK(with({{"grant_types", {"client_credentials"}}}) == "cimd_invalid_document");
    CHECK(with({{"response_types", {"token"}}}) == "cimd_invalid_document");
    CHECK(with({{"client_name", 5}}) == "cimd_invalid_document");
    CHECK(docs.validate(url, std::string(6000, ' ')).reason == "cimd_document_too_large");
}

TEST_CASE("CIMD cache: one fetch per URL within the TTL, bounded in entries") {
    ProxyHost host;
    std::map<std::string, int> fetched;
    host.handler = [&](const plugin::HttpRequest &r) {
        ++fetched[r.url];
        plugin::HttpResponse a;
        a.status = 200;
        a.body = json{{"client_id", r.url}, {"redirect_uris", {"http://127.0.0.1/cb"}}}.dump();
        return a;
    };
    oauth_proxy::CimdOptions o;
    o.max_entries = 2;
    o.cache_ttl_s = 100;
    ClientMetadataDocuments docs(host.host(), o);
    const std::string a = "https://a.example/c.json", b = "https://b.example/c.json",
                      c = "https://c.example/c.json";
    REQUIRE(docs.resolve(a).client);
    REQUIRE(docs.resolve(a).client);
    CHECK(fetched[a] == 1);
    host.now_ms += 10'000;
    REQUIRE(docs.resolve(b).client);
    REQUIRE(docs.resolve(c).client); // full: the entry closest to expiry (a) makes room
    CHECK(docs.resolve(b).client);
    CHECK(fetched[b] == 1);
    CHECK(docs.resolve(a).client);
    CHECK(fetched[a] == 2);
    host.now_ms += 101'000;
    CHECK(docs.resolve(c).client);
    CHECK(fetched[c] == 2);
    CHECK(docs.fetches() == 5);
    // A URL refused by the rules is never fetched.
    CHECK(docs.resolve("http://a.example/c.json").reason == "cimd_url_invalid");
    CHECK(docs.fetches() == 5);
}
