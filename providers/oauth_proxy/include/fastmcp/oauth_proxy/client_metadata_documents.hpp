// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25
// authorization, "Client ID Metadata Documents"): a client_id that is an https URL names a JSON
// document describing the client, which the proxy fetches instead of a DCR registration.
//
// The URL must be https with a path, no user-info, no fragment, no dot segments. Plain http is
// refused, except to a loopback host when CIMD_ALLOW_HTTP_LOOPBACK is set: that exists for tests
// and local development only, and is off by default because it would let any remote client make
// the server send GETs to its own loopback services (SSRF).
// The fetch goes through the host's HTTP client (no redirects), bounded in time and size. The
// document's client_id must equal the URL exactly; it must describe a public client (no secret,
// token_endpoint_auth_method "none"), with redirect_uris (checked against
// ALLOWED_CLIENT_REDIRECT_URIS at /authorize like any client's).
// Answers (accepted or refused) are cached in memory, bounded in entries and time, so a burst of
// requests naming one URL costs one fetch. Every refusal has a stable reason code.
#pragma once

#include "fastmcp/provider.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::oauth_proxy {

// The most redirect URIs one client may register, by DCR or in a metadata document.
inline constexpr size_t kMaxRedirectUris = 10;

struct CimdOptions {
    bool allow_http_loopback = false;
    uint32_t timeout_ms = 5'000;
    uint64_t max_document_bytes = 5 * 1024; // the draft's suggested limit
    int64_t cache_ttl_s = 300;              // accepted documents
    int64_t failure_ttl_s = 30;             // refused ones (a broken URL is not fetched in a loop)
    size_t max_entries = 1'000;
};

// The stable reason codes of a refused document.
namespace cimd_reason {
inline constexpr const char *url_invalid = "cimd_url_invalid";
inline constexpr const char *fetch_failed = "cimd_fetch_failed";
inline constexpr const char *too_large = "cimd_document_too_large";
inline constexpr const char *invalid_document = "cimd_invalid_document";
inline constexpr const char *client_id_mismatch = "cimd_client_id_mismatch";
} // namespace cimd_reason

struct CimdClient {
    std::string client_id; // the URL
    std::string client_name;
    std::vector<std::string> redirect_uris;
    std::vector<std::string> grant_types; // RFC 7591 default: authorization_code
};

struct CimdResult {
    std::optional<CimdClient> client;
    std::string reason; // a cimd_reason code when refused
    std::string detail; // human-readable, never holds a secret
};

class ClientMetadataDocuments {
  public:
    ClientMetadataDocuments(plugin::Host host, CimdOptions options)
        : host_(host), options_(options) {}

    // Does this client_id name a metadata document (rather than a registered client)?
    static bool names_document(std::string_view client_id);
    // The URL rules above; empty when allowed, else why not.
    std::string url_problem(const std::string &url) const;
    // The client the document describes, from the cache or a fresh fetch.
    CimdResult resolve(const std::string &url);
    // Checks a fetched document (exposed for tests).
    CimdResult validate(const std::string &url, const std::string &body) const;

    uint64_t fetches() const;
    const CimdOptions &options() const { return options_; }

  private:
    struct Entry {
        CimdResult result;
        int64_t expires_ms = 0;
    };
    CimdResult fetch(const std::string &url);

    plugin::Host host_;
    CimdOptions options_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> cache_;
    uint64_t fetches_ = 0;
};

} // namespace fastmcp::oauth_proxy
