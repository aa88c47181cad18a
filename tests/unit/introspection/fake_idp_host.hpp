// A fastmcp_host_api for introspection tests: a settable clock, a log capture, and a fetcher
// that records every request (method, URL, headers, body, limits) and answers from a function
// the test sets, standing in for the authorization server's introspection endpoint.
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/provider.hpp"

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace fastmcp::testing {

struct RecordedRequest {
    std::string method, url, body;
    std::vector<std::pair<std::string, std::string>> headers;
    uint32_t timeout_ms = 0;
    uint64_t max_response_bytes = 0;
    std::string header(const std::string &name) const {
        for (const auto &h : headers)
            if (h.first == name) return h.second;
        return {};
    }
};

class FakeIdpHost {
public:
    static constexpr int64_t kStartMs = 1'750'000'000'000;

    FakeIdpHost() {
        api_.struct_size = sizeof api_;
        api_.ctx = this;
        api_.log = [](void *ctx, int level, const char *m, size_t n) {
            auto *self = static_cast<FakeIdpHost *>(ctx);
            std::lock_guard lock(self->mutex_);
            self->logs_.emplace_back(level, std::string(m, n));
        };
        api_.now_ms = [](void *ctx) { return static_cast<FakeIdpHost *>(ctx)->now_ms; };
        api_.http_fetch = [](void *ctx, const fastmcp_http_request *req, fastmcp_http_response_fn fn, void *user) {
            auto *self = static_cast<FakeIdpHost *>(ctx);
            RecordedRequest r;
            r.method = req->method ? req->method : "";
            r.url.assign(plugin::view(req->url));
            r.body.assign(plugin::view(req->body));
            for (size_t i = 0; i < req->header_count; ++i)
                r.headers.emplace_back(std::string(plugin::view(req->headers[i].name)),
                                       std::string(plugin::view(req->headers[i].value)));
            r.timeout_ms = req->timeout_ms;
            r.max_response_bytes = req->max_response_bytes;
            plugin::HttpResponse answer;
            {
                std::lock_guard lock(self->mutex_);
                self->requests_.push_back(r);
            }
            if (self->respond) answer = self->respond(r);
            fastmcp_http_response out{};
            out.struct_size = sizeof out;
            out.status = answer.status;
            out.body = plugin::str(answer.body);
            out.content_type = plugin::str(answer.content_type);
            out.error = plugin::str(answer.error);
            fn(user, &out);
        };
        api_.mcp_path = plugin::str(mcp_path_);
        api_.bind_host = plugin::str(bind_host_);
        api_.bind_is_loopback = 1;
    }
    FakeIdpHost(const FakeIdpHost &) = delete;

    plugin::Host host() const { return plugin::Host(&api_); }
    const fastmcp_host_api *api() const { return &api_; }
    int64_t now_s() const { return now_ms / 1000; }
    void advance_s(int64_t s) { now_ms += s * 1000; }

    std::vector<RecordedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    size_t request_count() const { return requests().size(); }
    std::vector<std::pair<int, std::string>> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    int count_logs(int level, const std::string &needle) const {
        int n = 0;
        for (const auto &l : logs())
            if (l.first == level && l.second.find(needle) != std::string::npos) ++n;
        return n;
    }

    std::function<plugin::HttpResponse(const RecordedRequest &)> respond;
    int64_t now_ms = kStartMs;

private:
    fastmcp_host_api api_{};
    std::string mcp_path_ = "/mcp";
    std::string bind_host_ = "127.0.0.1";
    mutable std::mutex mutex_;
    std::vector<RecordedRequest> requests_;
    std::vector<std::pair<int, std::string>> logs_;
};

} // namespace fastmcp::testing
