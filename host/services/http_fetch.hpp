// A blocking HTTP(S) client on Poco: whole-exchange timeout, response size cap, no redirects.
#pragma once

#include "fastmcp/provider.hpp"

namespace fastmcp::host {

// Defaults used when the request leaves them at 0.
inline constexpr uint32_t kDefaultFetchTimeoutMs = 5000;
inline constexpr uint64_t kDefaultMaxResponseBytes = 1 << 20;

plugin::HttpResponse http_fetch(const plugin::HttpRequest &request);

} // namespace fastmcp::host
