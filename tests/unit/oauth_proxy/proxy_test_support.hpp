// Test doubles for the OAuth proxy tests: a host whose http_fetch is a function of the whole
// request (the fake upstream sees methods and bodies), a store decorator that counts writes (to
// prove a hostile request stored nothing), and a browser-ish client that walks the flow.
#pragma once

#include "fastmcp/oauth_proxy/form.hpp"
#include "fastmcp/oauth_proxy/oauth_proxy.hpp"
#include "fastmcp/oauth_proxy/pkce.hpp"

#include <Poco/URI.h>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>

namespace fastmcp::testing {

// The proxy under test and its MCP client, as every proxy test sees them.
inline const std::string kBase = "http://localhost:8000";
inline const std::string kResource = kBase + "/mcp";
inline const std::string kClientRedirect = "http://127.0.0.1:33418/callback";
inline const std::string kVerifier = "verifier-0123456789-0123456789-0123456789-abcdef";

class ProxyHost {
public:
    using Handler = std::function<plugin::HttpResponse(const plugin::HttpRequest &)>;
    static constexpr int64_t kStartMs = 1'750'000'000'000;

    ProxyHost() {
        api_.struct_size = sizeof api_;
        api_.ctx = this;
        api_.log = [](void *ctx, int, const char *msg, size_t n) {
            auto *self = static_cast<ProxyHost *>(ctx);
            std::lock_guard lock(self->log_mutex_);
            self->logs_ += std::string(msg, n) + "\n";
        };
        api_.now_ms = [](void *ctx) -> int64_t { return static_cast<ProxyHost *>(ctx)->now_ms.load(); };
        api_.http_fetch = [](void *ctx, const fastmcp_http_request *req, fastmcp_http_response_fn fn, void *user) {
            auto *self = static_cast<ProxyHost *>(ctx);
            plugin::HttpRequest r;
            r.method = req->method;
            r.url.assign(plugin::view(req->url));
            for (size_t i = 0; i < req->header_count; ++i)
                r.headers.emplace_back(std::string(plugin::view(req->headers[i].name)),
                                       std::string(plugin::view(req->headers[i].value)));
            r.body.assign(plugin::view(req->body));
            ++self->fetches;
            plugin::HttpResponse a = self->handler ? self->handler(r) : plugin::HttpResponse{};
            if (!self->handler) a.error = "no upstream";
            fastmcp_http_response out{};
            out.struct_size = sizeof out;
            out.status = a.status;
            out.body = plugin::str(a.body);
            out.content_type = plugin::str(a.content_type);
            out.error = plugin::str(a.error);
            fn(user, &out);
        };
        api_.mcp_path = plugin::str(mcp_path_);
        api_.bind_host = plugin::str(bind_);
        api_.bind_is_loopback = 1;
    }
    ProxyHost(const ProxyHost &) = delete;
    plugin::Host host() const { return plugin::Host(&api_); }
    int64_t now_s() const { return now_ms.load() / 1000; }

    // Everything the proxy logged (tests assert no token ever appears in it).
    std::string logs() const {
        std::lock_guard lock(log_mutex_);
        return logs_;
    }

    Handler handler;
    std::atomic<int64_t> now_ms{kStartMs};
    std::atomic<int> fetches{0};

private:
    mutable std::mutex log_mutex_;
    std::string logs_;
    fastmcp_host_api api_{};
    std::string mcp_path_ = "/mcp";
    std::string bind_ = "127.0.0.1";
};

// Counts every successful write, so a test can assert that a rejected request stored nothing.
class CountingStore final : public oauth_proxy::StateStore {
public:
    explicit CountingStore(std::unique_ptr<oauth_proxy::StateStore> inner) : inner_(std::move(inner)) {}
    void put(oauth_proxy::RecordKind k, std::string_view key, std::string_view v, std::chrono::milliseconds ttl) override {
        ++writes;
        inner_->put(k, key, v, ttl);
    }
    bool put_if_absent(oauth_proxy::RecordKind k, std::string_view key, std::string_view v,
                       std::chrono::milliseconds ttl) override {
        bool ok = inner_->put_if_absent(k, key, v, ttl);
        if (ok) ++writes;
        return ok;
    }
    std::optional<std::string> get(oauth_proxy::RecordKind k, std::string_view key) override { return inner_->get(k, key); }
    bool erase(oauth_proxy::RecordKind k, std::string_view key) override {
        bool ok = inner_->erase(k, key);
        if (ok) ++writes;
        return ok;
    }
    std::optional<std::string> take(oauth_proxy::RecordKind k, std::string_view key) override {
        auto v = inner_->take(k, key);
        if (v) ++writes;
        return v;
    }
    bool rotate(oauth_proxy::RecordKind k, std::string_view key, std::string_view expected,
                const std::vector<oauth_proxy::Write> &w) override {
        bool ok = inner_->rotate(k, key, expected, w);
        if (ok) ++writes;
        return ok;
    }
    std::size_t sweep_expired() override { return inner_->sweep_expired(); }
    std::string describe() const override { return "counting(" + inner_->describe() + ")"; }

    std::atomic<int> writes{0};

private:
    std::unique_ptr<oauth_proxy::StateStore> inner_;
};

inline std::string header_of(const plugin::RouteResponse &r, const std::string &name) {
    for (const auto &[n, v] : r.headers)
        if (n == name) return v;
    return "";
}

// The query parameters of a URL (redirect Location).
inline std::map<std::string, std::string> query_of(const std::string &url) {
    std::map<std::string, std::string> out;
    for (const auto &[k, v] : Poco::URI(url).getQueryParameters()) out[k] = v;
    return out;
}

// "name=value" of a Set-Cookie header, or "" when none with that name prefix.
inline std::string cookie_pair(const plugin::RouteResponse &r, const std::string &prefix) {
    for (const auto &[n, v] : r.headers)
        if (n == "Set-Cookie" && v.rfind(prefix, 0) == 0) return v.substr(0, v.find(';'));
    return "";
}

// A hidden form field's value in the consent page.
inline std::string hidden_field(const std::string &html, const std::string &name) {
    const std::string marker = "name=\"" + name + "\" value=\"";
    size_t at = html.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    return html.substr(at, html.find('"', at) - at);
}

struct Call {
    std::string method = "GET";
    std::string path;
    std::string query;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

inline plugin::RouteResponse call(oauth_proxy::OAuthProxy &proxy, const Call &c) {
    plugin::RouteRequest req;
    req.method = c.method;
    req.path = c.path;
    req.query = c.query;
    req.body = c.body;
    for (const auto &[n, v] : c.headers) req.headers.emplace_back(n, v);
    plugin::RouteResponse res;
    REQUIRE(proxy.handle_route(req, res));
    return res;
}

inline nlohmann::json json_of(const plugin::RouteResponse &r) { return nlohmann::json::parse(r.body, nullptr, false); }

} // namespace fastmcp::testing
