// What a verifier accepts: algorithms, issuer, audience, scopes, time leeway, size limits.
#pragma once

#include "fastmcp/jose/alg.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace fastmcp::jose {

struct Policy {
    std::vector<Alg> allowed_algs{Alg::RS256};
    std::vector<std::string> issuers;   // exact match; empty = not checked
    std::vector<std::string> audiences; // token aud must contain one; empty = not checked
    bool check_audience = true;         // false only on explicit opt-out
    std::vector<std::string> required_scopes;
    int64_t leeway_seconds = 60;
    bool require_exp = true;
    size_t max_token_bytes = 16 * 1024;
};

} // namespace fastmcp::jose
