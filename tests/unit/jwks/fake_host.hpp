// Test doubles for provider tests: a fastmcp_host_api with a settable clock, a URL -> response
// table with per-URL fetch counters (optionally blocking, to hold a fetch in flight), and a log
// capture. Plus keys and token minting through jose/signer.hpp. Shared by the jwks, jwt and
// authkit unit tests.
#pragma once

#include "fastmcp/auth_plugin.h"
#include "fastmcp/jose/signer.hpp"
#include "fastmcp/provider.hpp"
#include "test_keys.hpp"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace fastmcp::testing {

class FakeHost {
public:
    static constexpr int64_t kStartMs = 1'750'000'000'000;

    FakeHost() {
        api_.struct_size = sizeof api_;
        api_.ctx = this;
        api_.log = [](void *ctx, int level, const char *m, size_t n) {
            auto *self = static_cast<FakeHost *>(ctx);
            std::lock_guard lock(self->mutex_);
            self->logs_.push_back({level, std::string(m, n)});
        };
        api_.now_ms = [](void *ctx) -> int64_t { return static_cast<FakeHost *>(ctx)->now_ms.load(); };
        api_.http_fetch = [](void *ctx, const fastmcp_http_request *req, fastmcp_http_response_fn fn,
                             void *user) {
            auto *self = static_cast<FakeHost *>(ctx);
            plugin::HttpResponse r = self->answer(std::string(plugin::view(req->url)));
            fastmcp_http_response out{};
            out.struct_size = sizeof out;
            out.status = r.status;
            out.body = plugin::str(r.body);
            out.content_type = plugin::str(r.content_type);
            out.error = plugin::str(r.error);
            fn(user, &out);
        };
        api_.mcp_path = plugin::str(mcp_path_);
        api_.bind_host = plugin::str(bind_host_);
        api_.bind_is_loopback = 1;
    }
    FakeHost(const FakeHost &) = delete;

    plugin::Host host() const { return plugin::Host(&api_); }
    const fastmcp_host_api *api() const { return &api_; }
    void set_mcp_path(std::string p) {
        mcp_path_ = std::move(p);
        api_.mcp_path = plugin::str(mcp_path_);
    }

    void advance_ms(int64_t ms) { now_ms += ms; }
    void advance_s(int64_t s) { now_ms += s * 1000; }
    int64_t now_s() const { return now_ms.load() / 1000; }

    // Serve `body` with `status` at `url` (status 0 = connection refused).
    void serve(const std::string &url, int status, std::string body) {
        std::lock_guard lock(mutex_);
        routes_[url] = {status, std::move(body)};
    }
    void down(const std::string &url) { serve(url, 0, ""); }
    int hits(const std::string &url) const {
        std::lock_guard lock(mutex_);
        auto it = hits_.find(url);
        return it == hits_.end() ? 0 : it->second;
    }
    int total_hits() const {
        std::lock_guard lock(mutex_);
        int n = 0;
        for (const auto &[u, c] : hits_) n += c;
        return n;
    }
    // While held, fetches block until release() (to keep one fetch in flight).
    void hold() {
        std::lock_guard lock(mutex_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            held_ = false;
        }
        cv_.notify_all();
    }
    // Every fetch takes this long on the fake clock (a slow IdP).
    void set_fetch_latency_ms(int64_t ms) { latency_ms_ = ms; }
    int waiting_fetches() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }
    std::vector<std::pair<int, std::string>> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    int count_logs(int level, const std::string &needle) const {
        int n = 0;
        for (const auto &[l, m] : logs())
            if (l == level && m.find(needle) != std::string::npos) ++n;
        return n;
    }

    std::atomic<int64_t> now_ms{kStartMs};

private:
    plugin::HttpResponse answer(const std::string &url) {
        std::unique_lock lock(mutex_);
        ++hits_[url];
        // The answer is the one served when the fetch started, even if it is held.
        plugin::HttpResponse r;
        auto it = routes_.find(url);
        if (it == routes_.end()) {
            r.status = 404;
            r.body = "not found";
        } else if (it->second.first == 0) {
            r.error = "connection refused";
        } else {
            r.status = it->second.first;
            r.body = it->second.second;
            r.content_type = "application/json";
        }
        ++waiting_;
        cv_.wait(lock, [&] { return !held_; });
        --waiting_;
        now_ms += latency_ms_.load();
        return r;
    }

    fastmcp_host_api api_{};
    std::string mcp_path_ = "/mcp";
    std::string bind_host_ = "127.0.0.1";
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool held_ = false;
    int waiting_ = 0;
    std::atomic<int64_t> latency_ms_{0};
    std::map<std::string, std::pair<int, std::string>> routes_;
    std::map<std::string, int> hits_;
    std::vector<std::pair<int, std::string>> logs_;
};

// A signing key with its public JWK. RSA keys are slow to generate: tests share a few.
struct TestKey {
    std::string kid;
    jose::Alg alg = jose::Alg::RS256;
    std::shared_ptr<EVP_PKEY> pkey;
    nlohmann::json jwk() const { return jose::public_jwk(pkey.get(), kid, alg); }
    std::string sign(const nlohmann::json &claims, nlohmann::json header = nlohmann::json::object()) const {
        if (!header.contains("kid") && !kid.empty()) header["kid"] = kid;
        return jose::sign_compact(header, claims, alg, pkey.get());
    }
};

inline TestKey make_key(std::string kid, jose::Alg alg = jose::Alg::RS256) {
    jose::PkeyPtr k = jose::generate_key(alg);
    TestKey t;
    t.kid = std::move(kid);
    t.alg = alg;
    t.pkey = std::shared_ptr<EVP_PKEY>(k.release(), jose::PkeyDeleter{});
    return t;
}

// RSA keys by index ("rsa-<i>"): the fixed ones from test_keys.hpp first, then generated ones.
inline const TestKey &rsa_key(int i) {
    static std::mutex m;
    static std::map<int, TestKey> keys;
    std::lock_guard lock(m);
    auto it = keys.find(i);
    if (it != keys.end()) return it->second;
    const int fixed = static_cast<int>(std::size(kTestRsaPem));
    if (i < 1 || i > fixed) return keys.emplace(i, make_key("rsa-" + std::to_string(i))).first->second;
    BIO *bio = BIO_new_mem_buf(kTestRsaPem[i - 1], -1);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!pkey) throw std::runtime_error("test key does not parse");
    TestKey t;
    t.kid = "rsa-" + std::to_string(i);
    t.pkey = std::shared_ptr<EVP_PKEY>(pkey, jose::PkeyDeleter{});
    return keys.emplace(i, std::move(t)).first->second;
}

inline std::string jwks_of(const std::vector<nlohmann::json> &jwks) {
    return nlohmann::json{{"keys", jwks}}.dump();
}

} // namespace fastmcp::testing
