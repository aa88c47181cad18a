// StaticTokenVerifier: opaque bearer tokens from a fixed table, for development and tests.
//  - tokens come from TOKENS (JSON) or TOKENS_FILE, exactly one; only their SHA-256 is kept;
//  - lookup is constant-time over the table (see token_table.hpp);
//  - it refuses to start when the host binds to a non-loopback address, unless
//    ALLOW_NON_LOOPBACK=true (then it logs a warning at start and lists one in describe()).
// Tokens are never logged, and never appear in errors or describe().
#pragma once

#include "fastmcp/provider.hpp"
#include "fastmcp/provider_common/protected_resource.hpp"
#include "fastmcp/static_tokens/token_table.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::static_tokens {

class StaticTokenVerifier final : public plugin::Provider {
public:
    StaticTokenVerifier(plugin::Host host, std::string_view settings_json);

    plugin::Verdict verify(std::string_view token) override;
    // A table lookup: always answered without blocking.
    std::optional<plugin::Verdict> verify_cached(std::string_view token) override { return verify(token); }
    std::string describe_json() override;
    bool handle_route(const plugin::RouteRequest &request, plugin::RouteResponse &out) override;

    const TokenTable &table() const { return table_; }

private:
    plugin::Host host_;
    TokenTable table_;
    std::string source_; // "TOKENS" or the TOKENS_FILE path
    provider_common::ProtectedResource resource_;
    std::vector<std::string> warnings_;
};

} // namespace fastmcp::static_tokens
