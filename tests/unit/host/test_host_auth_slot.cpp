// AuthSlot (host/http/auth_slot.hpp): what a request pins survives a replace, the replaced backend
// is destroyed by collect() once its last pin went, and every derived piece (metadata URL, the
// verify deadline's canned 503) follows the backend.
#include <doctest/doctest.h>

#include "auth/verify_watchdog.hpp"
#include "http/auth_slot.hpp"

#include <atomic>
#include <thread>
#include <vector>

using namespace fastmcp;
using fastmcp::host::AuthSlot;

namespace {

// Says which backend answered, and records its destruction.
class NamedBackend : public AuthBackend {
  public:
    NamedBackend(std::string name, std::string resource, std::string metadata,
                 std::atomic<int> *destroyed = nullptr)
        : name_(std::move(name)), destroyed_(destroyed) {
        info_.resource = std::move(resource);
        info_.resource_metadata_url = std::move(metadata);
        info_.routes = {"/.well-known/" + name_};
    }
    ~NamedBackend() override {
        if (destroyed_) ++*destroyed_;
    }
    AuthVerdict verify(std::string_view) const override {
        AuthVerdict v;
        v.reason = FASTMCP_REASON_OK;
        v.description = name_;
        return v;
    }
    const AuthInfo &info() const override { return info_; }
    std::optional<RouteResponse> handle_route(const RouteRequest &) const override {
        return std::nullopt;
    }

  private:
    std::string name_;
    std::atomic<int> *destroyed_;
    AuthInfo info_;
};

} // namespace

TEST_CASE("derived_metadata_url inserts the well-known segment before the resource path") {
    CHECK(host::derived_metadata_url("https://a.example/mcp") ==
          "https://a.example/.well-known/oauth-protected-resource/mcp");
    CHECK(host::derived_metadata_url("https://a.example/") ==
          "https://a.example/.well-known/oauth-protected-resource");
    CHECK(host::derived_metadata_url("https://a.example") ==
          "https://a.example/.well-known/oauth-protected-resource");
    CHECK(host::derived_metadata_url("not a url").empty());
}

TEST_CASE("a pinned view outlives a replace; the old backend dies in collect() after its last "
          "pin, never in the request that let go") {
    std::atomic<int> destroyed{0};
    AuthSlot slot(std::make_shared<NamedBackend>("old", "http://127.0.0.1:1/mcp", "", &destroyed));
    auto pinned = slot.pin();
    REQUIRE(pinned->backend);
    slot.replace(std::make_shared<NamedBackend>("new", "http://127.0.0.1:2/mcp", ""));

    CHECK(destroyed == 0); // the request that pinned it still uses it
    CHECK(pinned->backend->verify("t").description == "old");
    CHECK(slot.pin()->backend->verify("t").description == "new");
    CHECK(slot.pin()->backend->info().routes == std::vector<std::string>{"/.well-known/new"});
    CHECK(slot.collect() == 1); // still pinned: kept
    CHECK(destroyed == 0);
    pinned.reset();
    CHECK(destroyed == 0); // the request's release is never the last one (it may be on a loop)
    CHECK(slot.collect() == 0);
    CHECK(destroyed == 1);
    CHECK(slot.pin()->backend->verify("t").description == "new"); // the current one is kept
}

TEST_CASE("the metadata URL follows the backend: the provider's own, else derived") {
    AuthSlot slot(std::make_shared<NamedBackend>("a", "http://127.0.0.1:1/mcp",
                                                 "http://127.0.0.1:1/custom-metadata"));
    CHECK(slot.pin()->metadata_url == "http://127.0.0.1:1/custom-metadata");
    slot.replace(std::make_shared<NamedBackend>("b", "http://127.0.0.1:2/mcp", ""));
    CHECK(slot.pin()->metadata_url ==
          "http://127.0.0.1:2/.well-known/oauth-protected-resource/mcp");
}

TEST_CASE("the verify deadline is per backend: a watchdog gets one, told about its own calls") {
    auto inner = std::make_shared<NamedBackend>("w", "http://127.0.0.1:3/mcp", "");
    host::VerifyWatchdogOptions options;
    options.timeout = std::chrono::milliseconds(250);
    auto watchdog = std::make_shared<host::VerifyWatchdog>(options, "w (test)", inner);

    AuthSlot slot(std::make_shared<NamedBackend>("plain", "http://127.0.0.1:1/mcp", ""));
    CHECK_FALSE(slot.pin()->verify_deadline);
    slot.replace(watchdog);
    auto view = slot.pin();
    REQUIRE(view->verify_deadline);
    CHECK(view->verify_deadline->watchdog == watchdog.get());
    const std::string &canned = view->verify_deadline->response;
    CHECK(canned.rfind("HTTP/1.1 503 ", 0) == 0);
    CHECK(canned.find("temporarily_unavailable") != std::string::npos);
    CHECK(canned.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("auth off is a view without a backend, and can be replaced by one") {
    AuthSlot slot(nullptr);
    CHECK_FALSE(slot.pin()->backend);
    CHECK(slot.pin()->metadata_url.empty());
    slot.replace(std::make_shared<NamedBackend>("on", "http://127.0.0.1:1/mcp", ""));
    CHECK(slot.pin()->backend);
}

TEST_CASE("readers racing a writer always see a whole view") {
    AuthSlot slot(std::make_shared<NamedBackend>("0", "http://127.0.0.1:1/mcp", ""));
    std::atomic<bool> stop{false};
    std::atomic<int> torn{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i)
        readers.emplace_back([&] {
            while (!stop) {
                auto v = slot.pin();
                const std::string name = v->backend->verify("t").description;
                if (v->backend->info().routes.front() != "/.well-known/" + name) ++torn;
            }
        });
    for (int i = 1; i <= 500; ++i)
        slot.replace(
            std::make_shared<NamedBackend>(std::to_string(i), "http://127.0.0.1:1/mcp", ""));
    stop = true;
    for (auto &t : readers)
        t.join();
    CHECK(torn == 0);
    CHECK(slot.pin()->backend->verify("t").description == "500");
}
