// Parsing a Bearer challenge from WWW-Authenticate (RFC 6750 §3, RFC 9728 §5.1).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fastmcp::client {

struct BearerChallenge {
    std::map<std::string, std::string> params; // lowercased names: error, scope, resource_metadata, ...

    std::string get(const std::string &name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    }
};

// The Bearer challenge in a WWW-Authenticate value (which may list several schemes), or nullopt.
std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header);

} // namespace fastmcp::client
