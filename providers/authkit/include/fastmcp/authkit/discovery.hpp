// AuthKit's authorization-server metadata ({domain}/.well-known/oauth-authorization-server):
// fetched in the background, cached, served back to clients, and the source of truth for the
// issuer and jwks_uri when it names different ones than the defaults derived from the domain.
#pragma once

#include "fastmcp/jwks/shared_cell.hpp"
#include "fastmcp/provider.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace fastmcp::authkit {

struct AuthServerMetadata {
    std::string document; // the JSON as fetched (validated to be an object)
    std::string issuer;
    std::string jwks_uri;
    int64_t fetched_at_ms = 0;
};

class Discovery {
public:
    struct Options {
        std::string domain;            // AUTHKIT_DOMAIN, no trailing slash
        uint32_t timeout_ms = 5000;
        uint64_t max_bytes = 256 * 1024;
        int64_t min_interval_ms = 10'000; // between attempts while the metadata is missing
        int64_t refresh_ms = 600'000;     // re-fetch a good copy this often
    };

    Discovery(plugin::Host host, Options options);

    // Called with the metadata's issuer each time a fetch succeeds. Set before any other call.
    std::function<void(const std::string &issuer)> on_issuer;

    std::string metadata_url() const { return options_.domain + "/.well-known/oauth-authorization-server"; }
    std::string default_jwks_uri() const { return options_.domain + "/oauth2/jwks"; }

    // The JWKS URI to fetch: the metadata's once known, else the default. Tries discovery first
    // when the metadata is missing or old (rate-limited; never waits for another thread's try).
    std::string jwks_uri();
    // Tries a fetch when one is due (missing and min_interval passed, or older than refresh_ms).
    void refresh_if_due();

    std::shared_ptr<const AuthServerMetadata> metadata() const { return metadata_.load(); }
    std::string last_error() const;
    uint64_t attempts() const { return attempts_.load(); }

private:
    void attempt();

    plugin::Host host_;
    Options options_;
    jwks::SharedCell<AuthServerMetadata> metadata_;
    std::atomic<uint64_t> attempts_{0};
    mutable std::mutex mutex_;
    bool attempting_ = false;
    bool outage_logged_ = false;
    int64_t last_attempt_ms_ = 0;
    std::string last_error_;
    std::string logged_issuer_, logged_jwks_;
};

} // namespace fastmcp::authkit
