// Fuzz target: the settings URL validator (fastmcp::env::parse_url, is_loopback_host).
// Invariants: only ValueError escapes (no std::out_of_range / invalid_argument from port parsing);
// an accepted URL is http(s), carries no userinfo, query or fragment, uses http only for a loopback
// host, and is a fixed point: parsing the normalised URL gives it back unchanged and without notices.
#include "fuzz_support.hpp"

#include "fastmcp/env/error.hpp"
#include "fastmcp/env/url.hpp"

#include <string>

namespace {
constexpr const char *kTarget = "url";

std::string_view host_of(std::string_view url) {
    url.remove_prefix(url.find("://") + 3);
    std::string_view authority = url.substr(0, url.find('/'));
    if (!authority.empty() && authority.front() == '[') return authority.substr(0, authority.find(']') + 1);
    return authority.substr(0, authority.find(':'));
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace fastmcp;
    const std::string_view input = fuzz::as_view(data, size);
    (void)env::is_loopback_host(input);
    env::UrlValue v;
    try {
        v = env::parse_url(input);
    } catch (const env::ValueError &) {
        return 0;
    }
    const std::string &u = v.url;
    const bool https = u.rfind("https://", 0) == 0;
    const bool http = u.rfind("http://", 0) == 0;
    if (!https && !http) fuzz::invariant_failed(kTarget, "accepted a URL that is not http(s)");
    if (u.find_first_of("?#") != std::string::npos) fuzz::invariant_failed(kTarget, "accepted a query or fragment");
    const std::string_view after_scheme = std::string_view(u).substr(u.find("://") + 3);
    if (after_scheme.substr(0, after_scheme.find('/')).find('@') != std::string_view::npos)
        fuzz::invariant_failed(kTarget, "accepted userinfo"); // an '@' in the path is fine (RFC 3986)
    if (u.size() > 8 && u.back() == '/') fuzz::invariant_failed(kTarget, "trailing slash kept");
    const std::string_view host = host_of(u);
    if (host.empty()) fuzz::invariant_failed(kTarget, "accepted a URL with no host");
    if (http && !env::is_loopback_host(host)) fuzz::invariant_failed(kTarget, "http:// accepted for a non-loopback host");
    env::UrlValue again;
    try {
        again = env::parse_url(u);
    } catch (const env::ValueError &) {
        fuzz::invariant_failed(kTarget, "the normalised URL is rejected");
    }
    if (again.url != u) fuzz::invariant_failed(kTarget, "normalisation is not idempotent");
    if (!again.notices.empty()) fuzz::invariant_failed(kTarget, "the normalised URL still needs a notice");
    return 0;
}
