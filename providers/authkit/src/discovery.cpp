#include "fastmcp/authkit/discovery.hpp"

#include <nlohmann/json.hpp>

namespace fastmcp::authkit {
namespace {

bool is_http_url(const std::string &s) {
    return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

} // namespace

Discovery::Discovery(plugin::Host host, Options options) : host_(host), options_(std::move(options)) {}

std::string Discovery::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

void Discovery::refresh_if_due() {
    {
        std::lock_guard lock(mutex_);
        if (attempting_) return; // single-flight; nobody waits for it
        const int64_t now = host_.now_ms();
        auto cur = metadata_.load();
        const bool due = cur ? now - cur->fetched_at_ms >= options_.refresh_ms &&
                                   now - last_attempt_ms_ >= options_.min_interval_ms
                             : last_attempt_ms_ == 0 || now - last_attempt_ms_ >= options_.min_interval_ms;
        if (!due) return;
        attempting_ = true;
        last_attempt_ms_ = now;
    }
    attempt();
}

std::string Discovery::jwks_uri() {
    refresh_if_due();
    auto cur = metadata_.load();
    return cur ? cur->jwks_uri : default_jwks_uri();
}

void Discovery::attempt() {
    attempts_.fetch_add(1);
    const std::string url = metadata_url();
    std::string error;
    std::shared_ptr<AuthServerMetadata> meta;
    try {
        plugin::HttpResponse r = host_.get(url, options_.timeout_ms, options_.max_bytes);
        if (r.status == 0) {
            error = "fetching " + url + " failed: " + (r.error.empty() ? "no response" : r.error);
        } else if (r.status != 200) {
            error = "fetching " + url + " returned HTTP " + std::to_string(r.status);
        } else {
            auto doc = nlohmann::json::parse(r.body, nullptr, false);
            if (doc.is_discarded() || !doc.is_object()) {
                error = url + " is not a JSON object";
            } else {
                meta = std::make_shared<AuthServerMetadata>();
                meta->document = r.body;
                meta->fetched_at_ms = host_.now_ms();
                auto iss = doc.find("issuer");
                meta->issuer = iss != doc.end() && iss->is_string() ? iss->get<std::string>()
                                                                    : options_.domain;
                auto jwks = doc.find("jwks_uri");
                meta->jwks_uri = jwks != doc.end() && jwks->is_string() ? jwks->get<std::string>()
                                                                        : default_jwks_uri();
                // An https domain never sends us to plain http for keys.
                const bool https_domain = options_.domain.rfind("https://", 0) == 0;
                if (!is_http_url(meta->jwks_uri) ||
                    (https_domain && meta->jwks_uri.rfind("https://", 0) != 0)) {
                    error = url + " names an unusable jwks_uri";
                    meta.reset();
                }
            }
        }
    } catch (const std::exception &e) {
        error = std::string("fetching ") + url + " failed: " + e.what();
        meta.reset();
    }

    std::unique_lock lock(mutex_);
    attempting_ = false;
    if (!meta) {
        last_error_ = error;
        if (!outage_logged_)
            host_.log(FASTMCP_LOG_WARNING,
                      "AuthKitProvider: discovery: " + error + "; retrying in the background");
        outage_logged_ = true;
        return;
    }
    if (outage_logged_) host_.log(FASTMCP_LOG_INFO, "AuthKitProvider: discovery works again");
    outage_logged_ = false;
    last_error_.clear();
    const bool issuer_changed = meta->issuer != logged_issuer_;
    if (issuer_changed && meta->issuer != options_.domain)
        host_.log(FASTMCP_LOG_WARNING, "AuthKitProvider: the authorization-server metadata names "
                                       "issuer " + meta->issuer + ", not AUTHKIT_DOMAIN " +
                                           options_.domain + "; the metadata wins");
    if (meta->jwks_uri != logged_jwks_ && meta->jwks_uri != default_jwks_uri())
        host_.log(FASTMCP_LOG_INFO, "AuthKitProvider: the authorization-server metadata names "
                                    "jwks_uri " + meta->jwks_uri + "; the metadata wins");
    logged_issuer_ = meta->issuer;
    logged_jwks_ = meta->jwks_uri;
    const std::string issuer = meta->issuer;
    metadata_.store(std::move(meta));
    lock.unlock();
    if (on_issuer) on_issuer(issuer);
}

} // namespace fastmcp::authkit
