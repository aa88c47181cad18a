// The RFC 7662 response, read strictly: a 200 with a JSON object, or the endpoint is unusable.
// `active` must be the JSON boolean true; anything else (missing, false, "true") is inactive.
// evaluate() turns a parsed result into a verdict at a given time: exp and nbf are checked, and
// the required scopes are looked for in `scope`.
#pragma once

#include "fastmcp/provider.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastmcp::introspection {

struct Introspected {
    bool active = false;
    std::string bad_claim; // a claim had the wrong type: the verdict is bad_claim
    int64_t exp = 0;       // Unix seconds; 0 = absent
    int64_t nbf = 0;
    std::string subject, client_id, issuer;
    std::vector<std::string> scopes;
    std::string claims_json = "{}";
};

// nullopt (and `why`, for logs; it never quotes the body) when the endpoint's answer is not
// usable: exchange failed, status other than 200, body not a JSON object.
std::optional<Introspected> parse_response(const plugin::HttpResponse &response, std::string &why);

plugin::Verdict evaluate(const Introspected &result, std::string_view token, int64_t now_s,
                         const std::vector<std::string> &required_scopes);

} // namespace fastmcp::introspection
