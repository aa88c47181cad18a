// The real provider modules (workos.so, jwt.so) loaded through the loader, fetching discovery and
// JWKS over real HTTP from a Poco server on a loopback port the OS picks, verifying tokens that
// the test mints with OpenSSL (jose/signer.hpp).
#include "fastmcp/jose/signer.hpp"
#include "fastmcp/loader.hpp"
#include "host_services.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

using namespace fastmcp;
using nlohmann::json;

namespace {

// A tiny AuthKit stand-in: discovery + JWKS, switchable down, counting JWKS requests.
struct IdpState {
    std::mutex mu;
    std::string base;
    std::string jwks = R"({"keys":[]})";
    bool up = true;
    std::atomic<int> jwks_hits{0};
    std::atomic<int> meta_hits{0};
};

class IdpHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit IdpHandler(IdpState &s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest &req, Poco::Net::HTTPServerResponse &res) override {
        std::string body;
        int status = 200;
        {
            std::lock_guard lock(s_.mu);
            if (!s_.up) {
                status = 503;
                body = R"({"error":"down"})";
            } else if (req.getURI() == "/.well-known/oauth-authorization-server") {
                ++s_.meta_hits;
                body = json{{"issuer", s_.base},
                            {"authorization_endpoint", s_.base + "/oauth2/authorize"},
                            {"token_endpoint", s_.base + "/oauth2/token"},
                            {"jwks_uri", s_.base + "/oauth2/jwks"}}
                           .dump();
            } else if (req.getURI() == "/oauth2/jwks") {
                ++s_.jwks_hits;
                body = s_.jwks;
            } else {
                status = 404;
                body = "{}";
            }
        }
        res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        res.setContentType("application/json");
        res.setContentLength(static_cast<std::streamsize>(body.size()));
        res.send() << body;
    }

private:
    IdpState &s_;
};

class IdpFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit IdpFactory(IdpState &s) : s_(s) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new IdpHandler(s_);
    }

private:
    IdpState &s_;
};

struct Idp {
    IdpState state;
    Poco::Net::ServerSocket socket{Poco::Net::SocketAddress("127.0.0.1", 0)};
    Poco::Net::HTTPServer server{new IdpFactory(state), socket, new Poco::Net::HTTPServerParams};
    Idp() {
        state.base = "http://127.0.0.1:" + std::to_string(socket.address().port());
        server.start();
    }
    ~Idp() { server.stopAll(true); }
    void publish(const std::vector<json> &keys) {
        std::lock_guard lock(state.mu);
        state.jwks = json{{"keys", keys}}.dump();
    }
    void set_up(bool up) {
        std::lock_guard lock(state.mu);
        state.up = up;
    }
};

struct Key {
    std::string kid;
    std::shared_ptr<EVP_PKEY> pkey;
    explicit Key(std::string k) : kid(std::move(k)) {
        pkey = std::shared_ptr<EVP_PKEY>(jose::generate_key(jose::Alg::RS256).release(), jose::PkeyDeleter{});
    }
    json jwk() const { return jose::public_jwk(pkey.get(), kid, jose::Alg::RS256); }
    std::string sign(const json &claims) const {
        return jose::sign_compact({{"kid", kid}}, claims, jose::Alg::RS256, pkey.get());
    }
    std::string pem() const {
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, pkey.get());
        char *data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<size_t>(n));
        BIO_free(bio);
        return out;
    }
};

json claims(const std::string &iss, const std::string &aud) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return {{"iss", iss}, {"sub", "user_01"}, {"sid", "session_01"}, {"org_id", "org_01"}, {"aud", aud},
            {"iat", now}, {"exp", now + 300}, {"scope", "openid profile"}};
}

std::unique_ptr<loader::ProviderHandle> load(const std::map<std::string, std::string> &vars,
                                             host::HostServices &services) {
    env::Environment environment(vars, std::nullopt);
    return loader::load_provider(environment, {FASTMCP_PROVIDER_DIR}, services.api());
}

bool wait_ready(const loader::ProviderHandle &h, int ms = 5000) {
    for (int i = 0; i < ms / 10; ++i) {
        if (json::parse(h.describe_json())["health"].value("ready", false)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

host::HostServices::Options quiet() {
    host::HostServices::Options o;
    o.log = [](fastmcp_log_level, std::string_view) {};
    return o;
}

} // namespace

TEST_CASE("workos.so: AuthKitProvider verifies tokens against discovery + JWKS served on loopback") {
    Idp idp;
    Key k1("key-1"), k2("key-2");
    idp.publish({k1.jwk()});
    host::HostServices services(quiet());
    auto p = load({{"FASTMCP_SERVER_AUTH", "fastmcp.server.auth.providers.workos.AuthKitProvider"},
                   {"FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN", idp.state.base},
                   {"FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL", "http://localhost:8000"}},
                  services);
    REQUIRE(p);
    CHECK(p->provider_name() == "AuthKitProvider");
    REQUIRE(wait_ready(*p)); // the background worker discovered and fetched on its own
    CHECK(idp.state.meta_hits.load() >= 1);

    const std::string token = k1.sign(claims(idp.state.base, "http://localhost:8000/mcp"));
    auto v = p->verify(token);
    REQUIRE(v.reason == FASTMCP_REASON_OK);
    CHECK(v.token->token == token);
    CHECK(v.token->subject == "user_01");
    CHECK(json::parse(v.token->claims_json)["org_id"] == "org_01");
    CHECK(p->verify(k1.sign(claims(idp.state.base, "http://other/mcp"))).reason == FASTMCP_REASON_WRONG_AUDIENCE);

    // Rotation: a token from a newly published key costs exactly one refetch.
    const int before = idp.state.jwks_hits.load();
    idp.publish({k1.jwk(), k2.jwk()});
    CHECK(p->verify(k2.sign(claims(idp.state.base, "http://localhost:8000/mcp"))).reason == FASTMCP_REASON_OK);
    CHECK(idp.state.jwks_hits.load() == before + 1);

    // The routes, through the C ABI.
    plugin::RouteRequest req;
    req.method = "GET";
    req.path = "/.well-known/oauth-protected-resource/mcp";
    plugin::RouteResponse res;
    REQUIRE(p->handle_route(req, res));
    auto doc = json::parse(res.body);
    CHECK(doc["resource"] == "http://localhost:8000/mcp");
    CHECK(doc["authorization_servers"] == json::array({idp.state.base}));
    req.path = "/.well-known/oauth-authorization-server";
    plugin::RouteResponse meta;
    REQUIRE(p->handle_route(req, meta));
    CHECK(meta.status == 200);
    CHECK(json::parse(meta.body)["jwks_uri"] == idp.state.base + "/oauth2/jwks");
}

TEST_CASE("workos.so: AuthKit down at start, then up: requests recover without a restart") {
    Idp idp;
    Key k1("key-1");
    idp.publish({k1.jwk()});
    idp.set_up(false);
    host::HostServices services(quiet());
    auto p = load({{"FASTMCP_SERVER_AUTH", "workos:AuthKitProvider"},
                   {"FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN", idp.state.base},
                   {"FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL", "http://localhost:8000"},
                   {"FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_JWKS_REFETCH_MIN_INTERVAL", "200ms"}},
                  services);
    REQUIRE(p); // create() succeeded although AuthKit is unreachable
    const std::string token = k1.sign(claims(idp.state.base, "http://localhost:8000/mcp"));
    CHECK(p->verify(token).reason == FASTMCP_REASON_JWKS_UNAVAILABLE);
    idp.set_up(true);
    fastmcp_reason r = FASTMCP_REASON_JWKS_UNAVAILABLE;
    for (int i = 0; i < 300 && r != FASTMCP_REASON_OK; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        r = p->verify(token).reason;
    }
    CHECK(r == FASTMCP_REASON_OK);
}

TEST_CASE("jwt.so: JWTVerifier with a JWKS URI on loopback, and with a PEM public key") {
    Idp idp;
    Key k1("key-1");
    idp.publish({k1.jwk()});
    host::HostServices services(quiet());
    const std::string iss = "https://issuer.test";
    auto p = load({{"FASTMCP_SERVER_AUTH", "fastmcp.server.auth.providers.jwt.JWTVerifier"},
                   {"FASTMCP_SERVER_AUTH_JWT_JWKS_URI", idp.state.base + "/oauth2/jwks"},
                   {"FASTMCP_SERVER_AUTH_JWT_ISSUER", iss},
                   {"FASTMCP_SERVER_AUTH_JWT_AUDIENCE", "my-mcp-server"}},
                  services);
    REQUIRE(p);
    CHECK(p->verify(k1.sign(claims(iss, "my-mcp-server"))).reason == FASTMCP_REASON_OK);
    CHECK(p->verify(k1.sign(claims("https://evil.test", "my-mcp-server"))).reason == FASTMCP_REASON_WRONG_ISSUER);

    auto pem = load({{"FASTMCP_SERVER_AUTH", "jwt:JWTVerifier"},
                     {"FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY", k1.pem()},
                     {"FASTMCP_SERVER_AUTH_JWT_ISSUER", iss},
                     {"FASTMCP_SERVER_AUTH_JWT_AUDIENCE", "my-mcp-server"}},
                    services);
    REQUIRE(pem);
    CHECK(pem->verify(k1.sign(claims(iss, "my-mcp-server"))).reason == FASTMCP_REASON_OK);

    // Both key sources set: a configuration error naming both variables, never "no auth".
    try {
        load({{"FASTMCP_SERVER_AUTH", "jwt:JWTVerifier"},
              {"FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY", k1.pem()},
              {"FASTMCP_SERVER_AUTH_JWT_JWKS_URI", idp.state.base + "/oauth2/jwks"},
              {"FASTMCP_SERVER_AUTH_JWT_AUDIENCE", "x"}},
             services);
        FAIL("expected a configuration error");
    } catch (const loader::LoadError &e) {
        const std::string m = e.what();
        CHECK(m.find("FASTMCP_SERVER_AUTH_JWT_JWKS_URI") != std::string::npos);
        CHECK(m.find("FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY") != std::string::npos);
    }
}
