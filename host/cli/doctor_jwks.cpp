#include "doctor_jwks.hpp"

#include "fastmcp/jose/alg.hpp"
#include "fastmcp/jose/jwk.hpp"

#include <map>

namespace fastmcp::cli::doctor {

size_t check_jwks(const JwksTarget &t, const Http &http, Report &report) {
    plugin::HttpRequest request;
    request.url = t.jwks_uri;
    request.timeout_ms = http.timeout_ms;
    request.max_response_bytes = http.max_bytes;
    plugin::HttpResponse r;
    try {
        r = http.fetch(request);
    } catch (const std::exception &e) {
        r.status = 0;
        r.error = e.what();
    }
    if (r.status != 200) {
        report.fail("jwks",
                    t.jwks_uri + ": " + (r.status == 0 ? (r.error.empty() ? "no response" : r.error)
                                                       : "HTTP " + std::to_string(r.status)),
                    "the key set must be reachable from this machine; check " +
                        (t.uri_source.empty() ? std::string("the URL") : t.uri_source));
        return 0;
    }
    std::string error;
    auto keys = jose::parse_jwks(r.body, jose::KeySetOptions{}, error, http.max_bytes);
    if (!keys) {
        report.fail("jwks", t.jwks_uri + ": " + error, "the URL must serve a JWKS document ({\"keys\": [...]})");
        return 0;
    }

    std::vector<jose::Alg> algs;
    for (const auto &name : t.algorithms)
        if (auto a = jose::alg_from_name(name)) algs.push_back(*a);
    size_t usable = 0;
    std::map<std::string, size_t> misfit; // keys that parse but fit none of the algorithms, by kty
    for (const auto &k : keys->keys) {
        bool fits = algs.empty();
        for (auto a : algs) fits = fits || k->fits(a);
        if (fits) ++usable;
        else ++misfit[k->kid.empty() ? "(no kid)" : k->kid];
    }

    std::string detail = t.jwks_uri + ": " + std::to_string(usable) + " usable key" + (usable == 1 ? "" : "s");
    const size_t unusable = keys->skipped.size() + misfit.size();
    if (unusable) {
        detail += ", " + std::to_string(unusable) + " unusable (";
        bool first = true;
        for (const auto &s : keys->skipped) {
            detail += std::string(first ? "" : "; ") + (s.kid.empty() ? "(no kid)" : s.kid) + ": " + s.reason;
            first = false;
        }
        std::string alg_list;
        for (const auto &a : t.algorithms) alg_list += (alg_list.empty() ? "" : ",") + a;
        for (const auto &[kid, n] : misfit) {
            detail += std::string(first ? "" : "; ") + kid + ": fits none of " + alg_list;
            first = false;
        }
        detail += ")";
    }
    if (usable == 0) {
        std::string fix = "the key set has no key this server can use";
        if (!misfit.empty() && !t.algorithm_setting.empty())
            fix += ": the keys do not fit the configured algorithm; set " + t.algorithm_setting +
                   " to the algorithm the issuer signs with";
        else
            fix += "; check that the URL is the issuer's signing-key set";
        report.fail("jwks", detail, fix);
        return 0;
    }
    report.ok("jwks", detail);
    return usable;
}

} // namespace fastmcp::cli::doctor
