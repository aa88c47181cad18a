// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25):
// a client_id that is a URL names a JSON document describing the client. The emulator fetches it
// on the first authorization request: https, or http on a loopback host only; no redirects; the
// body at most kMaxCimdBytes; a time limit; the document's client_id must equal the URL.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace fastmcp::emulator {

constexpr size_t kMaxCimdBytes = 5 * 1024;
constexpr unsigned kCimdTimeoutMs = 5000;

struct CimdFetchResult {
    int status = 0; // 0 = the fetch failed, see error
    std::string body;
    std::string error;
};
using CimdFetcher = std::function<CimdFetchResult(const std::string &url)>;

// https://..., or http:// on 127.0.0.1, [::1] or localhost; no fragment, no userinfo.
bool cimd_url_allowed(const std::string &url);

// GET without following redirects (a 3xx is a failure), bounded in size and time.
CimdFetchResult fetch_cimd(const std::string &url);

struct CimdClient {
    std::vector<std::string> redirect_uris;
    std::vector<std::string> grant_types; // default: authorization_code
};

// The client the document describes, or why it is refused.
std::variant<CimdClient, std::string> validate_cimd(const std::string &url,
                                                    const std::string &body);

} // namespace fastmcp::emulator
