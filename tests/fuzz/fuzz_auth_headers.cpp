// Fuzz target: the Authorization and WWW-Authenticate header code of the host:
//   fastmcp::host::extract_bearer (Authorization values, one per input line),
//   fastmcp::host::query_has_access_token, fastmcp::host::sanitize_description and the challenge
//   builders, fastmcp::client::parse_bearer_challenge (WWW-Authenticate, the whole input).
// Invariants: nothing throws; an extracted token is a non-empty RFC 6750 b64token lying inside the
// single header value; more than one value is always Duplicate; every challenge we build parses back
// as a Bearer challenge with the right error and never contains the presented token.
#include "fuzz_support.hpp"

#include "auth/bearer_header.hpp"
#include "auth/challenge.hpp"
#include "www_authenticate.hpp"

#include <string>

namespace {
constexpr const char *kTarget = "auth_headers";
using fastmcp::fuzz::invariant_failed;

bool is_b64token(std::string_view t) {
    size_t i = 0;
    while (i < t.size() && (isalnum(static_cast<unsigned char>(t[i])) || std::string_view("-._~+/").find(t[i]) != std::string_view::npos)) ++i;
    if (i == 0) return false;
    while (i < t.size() && t[i] == '=') ++i;
    return i == t.size();
}

void check_challenge(const fastmcp::host::Challenge &c, std::string_view error, std::string_view token) {
    auto parsed = fastmcp::client::parse_bearer_challenge(c.www_authenticate);
    if (!parsed) invariant_failed(kTarget, "a challenge we built does not parse as Bearer");
    if (parsed->get("error") != error) invariant_failed(kTarget, "the built challenge lost its error code");
    if (parsed->get("resource_metadata").empty()) invariant_failed(kTarget, "the built challenge lost resource_metadata");
    if (token.size() >= 8 && (c.www_authenticate.find(token) != std::string::npos || c.body.find(token) != std::string::npos))
        invariant_failed(kTarget, "the presented token is echoed in a challenge");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    const std::string_view input = fuzz::as_view(data, size);

    // Authorization: each line is one header value.
    const auto values = fuzz::split(input, '\n');
    const auto got = host::extract_bearer(values);
    using Kind = host::BearerExtraction::Kind;
    if (values.size() > 1 && got.kind != Kind::Duplicate) invariant_failed(kTarget, "several Authorization values accepted");
    if (got.kind == Kind::Token) {
        const std::string_view v = values.front();
        if (got.token.data() < v.data() || got.token.data() + got.token.size() > v.data() + v.size())
            invariant_failed(kTarget, "the token does not view the header value");
        if (!is_b64token(got.token)) invariant_failed(kTarget, "the extracted token is not a b64token");
    }
    (void)host::query_has_access_token(input);

    // WWW-Authenticate parsing of arbitrary input.
    if (auto ch = client::parse_bearer_challenge(input))
        for (const auto &[name, value] : ch->params)
            for (char c : name)
                if (c >= 'A' && c <= 'Z') invariant_failed(kTarget, "a parameter name is not lower-cased");

    // Challenges built from hostile descriptions must stay well-formed. The input's first line is the
    // description, the second the presented token.
    const std::string_view description = values[0];
    const std::string_view token = values.size() > 1 ? values[1] : std::string_view();
    const std::string_view metadata = "https://mcp.example/.well-known/oauth-protected-resource/mcp";
    // A presented token is a b64token (extract_bearer guarantees it). One with a digit cannot occur in
    // any fixed text of a challenge (none has a digit), so any occurrence would be an echo.
    const bool checkable = token.size() >= 8 && is_b64token(token) &&
                           token.find_first_of("0123456789") != std::string_view::npos;
    if (checkable) {
        check_challenge(host::invalid_token(metadata, description, token), "invalid_token", token);
        check_challenge(host::insufficient_scope(metadata, "read write", description, token), "insufficient_scope", token);
    } else {
        check_challenge(host::invalid_token(metadata, description, {}), "invalid_token", {});
    }
    check_challenge(host::invalid_request(metadata, description), "invalid_request", {});
    // The host hands sanitize_description whatever b64token the client presented, short ones included.
    const std::string clean = host::sanitize_description(input, is_b64token(token) ? token : std::string_view());
    if (clean.size() > 200) invariant_failed(kTarget, "a description over 200 bytes");
    for (char c : clean)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') invariant_failed(kTarget, "an unsafe character in a description");
    return 0;
}
