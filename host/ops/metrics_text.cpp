#include "metrics_text.hpp"

#include <cstdio>

namespace fastmcp::ops {
namespace {

class Writer {
  public:
    void family(const char *name, const char *type, const char *help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(const std::string &name_and_labels, double value) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", value);
        out_ += name_and_labels;
        out_ += ' ';
        out_ += buf;
        out_ += '\n';
    }
    void sample(const std::string &name_and_labels, uint64_t value) {
        out_ += name_and_labels;
        out_ += ' ';
        out_ += std::to_string(value);
        out_ += '\n';
    }
    void sample(const std::string &name_and_labels, int64_t value) {
        out_ += name_and_labels;
        out_ += ' ';
        out_ += std::to_string(value);
        out_ += '\n';
    }
    void histogram(const char *name, const char *help, const Histogram &h) {
        family(name, "histogram", help);
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= kLatencyBuckets.size(); ++i) {
            cumulative += h.bucket(i);
            std::string le = "+Inf";
            if (i < kLatencyBuckets.size()) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%g", kLatencyBuckets[i]);
                le = buf;
            }
            sample(std::string(name) + "_bucket{le=\"" + le + "\"}", cumulative);
        }
        sample(std::string(name) + "_sum", h.sum_seconds());
        sample(std::string(name) + "_count", cumulative);
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

void render_requests(Writer &w, const Metrics &m) {
    w.family("fastmcp_http_requests_total", "counter",
             "HTTP requests answered, by route, method and status.");
    for (size_t r = 0; r < static_cast<size_t>(Route::count_); ++r)
        for (size_t k = 0; k < static_cast<size_t>(Method::count_); ++k)
            for (int s = 0; s < Metrics::kStatuses; ++s) {
                const uint64_t n = m.requests(static_cast<Route>(r), static_cast<Method>(k), s);
                if (n == 0) continue;
                w.sample(std::string("fastmcp_http_requests_total{route=\"") +
                             route_name(static_cast<Route>(r)) + "\",method=\"" +
                             method_name(static_cast<Method>(k)) + "\",status=\"" +
                             (s == 0 ? std::string("other") : std::to_string(s)) + "\"}",
                         n);
            }
    w.histogram("fastmcp_http_request_duration_seconds",
                "Time from a parsed request head to the end of its answer.", m.request_latency());
}

void render_verify(Writer &w, const Metrics &m) {
    w.family("fastmcp_auth_verifications_total", "counter",
             "Provider verify() verdicts, by reason code (ok = accepted).");
    for (int r = 0; r < FASTMCP_REASON_COUNT_; ++r) {
        const uint64_t n = m.verdicts(r);
        if (n || r == FASTMCP_REASON_OK)
            w.sample(std::string("fastmcp_auth_verifications_total{reason=\"") +
                         fastmcp_reason_name(r) + "\"}",
                     n);
    }
    w.histogram("fastmcp_auth_verify_duration_seconds", "Time spent in the provider's verify().",
                m.verify_latency());
}

void render_provider(Writer &w, const ScrapeInput &in) {
    if (in.stuck_calls) {
        w.family("fastmcp_provider_stuck_calls", "gauge",
                 "verify() calls past their deadline still inside the provider.");
        w.sample("fastmcp_provider_stuck_calls", static_cast<int64_t>(*in.stuck_calls));
    }
    if (!in.provider) return;
    const ProviderHealth &p = *in.provider;
    if (p.cache_hits) {
        w.family("fastmcp_auth_token_cache_hits_total", "counter",
                 "Verdicts answered from the provider's token cache.");
        w.sample("fastmcp_auth_token_cache_hits_total", *p.cache_hits);
    }
    if (p.cache_misses) {
        w.family("fastmcp_auth_token_cache_misses_total", "counter",
                 "Token-cache lookups that ran a full verification.");
        w.sample("fastmcp_auth_token_cache_misses_total", *p.cache_misses);
    }
    if (p.jwks_fetches) {
        const uint64_t failed = p.jwks_fetch_failures.value_or(0);
        // An attempt still in flight is counted as neither until it ends.
        const uint64_t ok = *p.jwks_fetches > failed ? *p.jwks_fetches - failed : 0;
        w.family("fastmcp_jwks_fetches_total", "counter", "JWKS fetches, by outcome.");
        w.sample("fastmcp_jwks_fetches_total{outcome=\"ok\"}", ok);
        w.sample("fastmcp_jwks_fetches_total{outcome=\"error\"}", failed);
    }
    if (p.keys) {
        w.family("fastmcp_jwks_keys", "gauge", "Usable keys in the current key set.");
        w.sample("fastmcp_jwks_keys", *p.keys);
    }
    if (p.jwks_fetched_at_s) {
        w.family("fastmcp_jwks_last_success_age_seconds", "gauge",
                 "Seconds since the last good JWKS fetch.");
        w.sample("fastmcp_jwks_last_success_age_seconds",
                 static_cast<int64_t>(in.now_s - *p.jwks_fetched_at_s));
    }
    if (p.introspection_requests) {
        const uint64_t failed = p.introspection_failures.value_or(0);
        w.family("fastmcp_introspection_requests_total", "counter",
                 "Token introspection requests, by outcome.");
        w.sample("fastmcp_introspection_requests_total{outcome=\"ok\"}",
                 *p.introspection_requests > failed ? *p.introspection_requests - failed : 0);
        w.sample("fastmcp_introspection_requests_total{outcome=\"error\"}", failed);
    }
}

} // namespace

std::string render_metrics(const Metrics &m, const ScrapeInput &in) {
    Writer w;
    render_requests(w, m);
    if (in.auth) render_verify(w, m);
    render_provider(w, in);
    w.family("fastmcp_open_connections", "gauge", "Client connections open now.");
    w.sample("fastmcp_open_connections", in.open_connections);
    w.family("fastmcp_sessions", "gauge", "MCP sessions open now.");
    w.sample("fastmcp_sessions", in.sessions);
    w.family("fastmcp_auth_reloads_total", "counter",
             "SIGHUP reloads of the auth backend, by outcome (a failure keeps the old provider).");
    w.sample("fastmcp_auth_reloads_total{outcome=\"success\"}", in.reloads_succeeded);
    w.sample("fastmcp_auth_reloads_total{outcome=\"failure\"}", in.reloads_failed);
    w.family("fastmcp_ready", "gauge", "1 when /readyz answers 200.");
    w.sample("fastmcp_ready", static_cast<int64_t>(in.ready ? 1 : 0));
    return w.take();
}

} // namespace fastmcp::ops
