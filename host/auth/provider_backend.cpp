#include "fastmcp/provider_backend.hpp"

#include "provider_fault_report.hpp"

#include <nlohmann/json.hpp>

#include <dlfcn.h>

#include <cstddef>
#include <stdexcept>

namespace fastmcp {
namespace {

std::string_view view(fastmcp_str s) { return {s.data ? s.data : "", s.size}; }

bool same_token(const AccessToken &t, const fastmcp_verdict &v) {
    if (t.expires_at != v.expires_at || t.scopes.size() != v.scope_count ||
        t.token != view(v.token) || t.subject != view(v.subject) ||
        t.client_id != view(v.client_id) || t.issuer != view(v.issuer) ||
        t.claims_json != (v.claims_json.size ? view(v.claims_json) : std::string_view("{}")))
        return false;
    for (size_t i = 0; i < v.scope_count; ++i)
        if (!v.scopes || t.scopes[i] != view(v.scopes[i])) return false;
    return true;
}

// The verdict callback may run at most once; a provider that never calls it is treated as failed.
struct VerdictSink {
    AuthVerdict verdict;
    bool called = false;
};

void on_verdict(void *user, const fastmcp_verdict *v) {
    auto *sink = static_cast<VerdictSink *>(user);
    if (sink->called || !v) return;
    sink->called = true;
    AuthVerdict &out = sink->verdict;
    out.reason = (v->reason >= 0 && v->reason < FASTMCP_REASON_COUNT_)
                     ? static_cast<fastmcp_reason>(v->reason)
                     : FASTMCP_REASON_INTERNAL_ERROR;
    out.description.assign(view(v->description));
    out.required_scope.assign(view(v->required_scope));
    if (out.reason == FASTMCP_REASON_OK) {
        // A client sends the same token on every request of a keep-alive connection: when the
        // provider's answer is identical to this thread's previous one, share that immutable
        // AccessToken instead of copying ~1.5 KB into a new one.
        thread_local std::shared_ptr<const AccessToken> previous;
        if (previous && same_token(*previous, *v)) {
            out.token = previous;
            return;
        }
        auto t = std::make_shared<AccessToken>();
        t->token.assign(view(v->token));
        t->subject.assign(view(v->subject));
        t->client_id.assign(view(v->client_id));
        t->issuer.assign(view(v->issuer));
        t->scopes.reserve(v->scope_count);
        for (size_t i = 0; i < v->scope_count && v->scopes; ++i)
            t->scopes.emplace_back(view(v->scopes[i]));
        t->expires_at = v->expires_at;
        if (v->claims_json.size) t->claims_json.assign(view(v->claims_json));
        previous = t;
        out.token = std::move(t);
    }
}

std::vector<std::string> string_list(const nlohmann::json &doc, const char *key) {
    std::vector<std::string> out;
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_array()) return out;
    for (const auto &v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::string string_field(const nlohmann::json &doc, const char *key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

AuthInfo parse_auth_info(std::string_view describe_json) {
    nlohmann::json doc = nlohmann::json::parse(describe_json, nullptr, false);
    if (!doc.is_object())
        throw std::runtime_error("provider describe() did not return a JSON object");
    AuthInfo info;
    info.resource = string_field(doc, "resource");
    info.resource_metadata_url = string_field(doc, "resource_metadata_url");
    info.issuer = string_field(doc, "issuer");
    info.required_scopes = string_list(doc, "required_scopes");
    info.routes = string_list(doc, "routes");
    info.describe_json.assign(describe_json);
    return info;
}

ProviderBackend::ProviderBackend(const fastmcp_provider_desc *desc, void *instance,
                                 std::shared_ptr<const void> keep_alive)
    : desc_(desc), instance_(instance), keep_alive_(std::move(keep_alive)) {
    if (!desc_ || !desc_->verify || !desc_->describe)
        throw std::runtime_error("provider descriptor lacks verify/describe");
    label_ = desc_->name ? desc_->name : "?";
    Dl_info where{};
    if (::dladdr(reinterpret_cast<const void *>(desc_->verify), &where) && where.dli_fname)
        label_ += std::string(" (") + where.dli_fname + ")";
    host::install_provider_fault_reporter();
    host::ProviderCallMarker marker(label_, "describe");
    std::string json;
    int rc = desc_->describe(
        instance_,
        [](void *user, const char *data, size_t size) {
            static_cast<std::string *>(user)->assign(data, size);
        },
        &json);
    if (rc != 0 || json.empty())
        throw std::runtime_error(std::string("provider ") + (desc_->name ? desc_->name : "?") +
                                 ": describe() failed");
    info_ = parse_auth_info(json);
}

std::optional<AuthVerdict> ProviderBackend::verify_cached(std::string_view token) const {
    // ABI 1.1: older modules have no verify_cached (their descriptor is shorter).
    if (desc_->struct_size < offsetof(fastmcp_provider_desc, verify_cached) + sizeof(void *) ||
        !desc_->verify_cached)
        return std::nullopt;
    VerdictSink sink;
    int answered = 0;
    host::ProviderCallMarker marker(label_, "verify");
    try {
        answered = desc_->verify_cached(instance_, token.data(), token.size(), on_verdict, &sink);
    } catch (...) {
        answered = 0;
    }
    if (answered != 1 || !sink.called) return std::nullopt; // the worker-thread verify decides
    if (sink.verdict.reason == FASTMCP_REASON_OK && !sink.verdict.token)
        sink.verdict.reason = FASTMCP_REASON_INTERNAL_ERROR;
    return std::move(sink.verdict);
}

AuthVerdict ProviderBackend::verify(std::string_view token) const {
    VerdictSink sink;
    int rc = 1;
    host::ProviderCallMarker marker(label_, "verify");
    try {
        rc = desc_->verify(instance_, token.data(), token.size(), on_verdict, &sink);
    } catch (...) {
        rc = 1; // nothing C++ should cross the boundary; if it does, fail closed
    }
    if (rc != 0 || !sink.called) {
        AuthVerdict failed;
        failed.reason = FASTMCP_REASON_INTERNAL_ERROR;
        failed.description = "the auth provider failed";
        return failed;
    }
    if (sink.verdict.reason == FASTMCP_REASON_OK && !sink.verdict.token)
        sink.verdict.reason = FASTMCP_REASON_INTERNAL_ERROR;
    return std::move(sink.verdict);
}

std::string ProviderBackend::live_describe_json() const {
    std::lock_guard lock(describe_mutex_);
    host::ProviderCallMarker marker(label_, "describe");
    std::string json;
    try {
        desc_->describe(
            instance_,
            [](void *user, const char *data, size_t size) {
                static_cast<std::string *>(user)->assign(data, size);
            },
            &json);
    } catch (...) {
        json.clear(); // fail closed: an empty document reads as "not ready"
    }
    return json;
}

std::optional<RouteResponse> ProviderBackend::handle_route(const RouteRequest &request) const {
    if (!desc_->handle_route) return std::nullopt;
    std::vector<fastmcp_http_header> headers;
    headers.reserve(request.headers.size());
    for (const auto &[n, v] : request.headers)
        headers.push_back({{n.data(), n.size()}, {v.data(), v.size()}});
    fastmcp_route_request req{};
    req.struct_size = sizeof req;
    req.method = {request.method.data(), request.method.size()};
    req.path = {request.path.data(), request.path.size()};
    req.query = {request.query.data(), request.query.size()};
    req.headers = headers.data();
    req.header_count = headers.size();
    req.body = {request.body.data(), request.body.size()};
    std::optional<RouteResponse> out;
    auto on_response = [](void *user, const fastmcp_route_response *r) {
        auto *o = static_cast<std::optional<RouteResponse> *>(user);
        if (o->has_value() || !r) return;
        RouteResponse res;
        res.status = r->status;
        res.content_type.assign(view(r->content_type));
        res.body.assign(view(r->body));
        for (size_t i = 0; i < r->header_count && r->headers; ++i)
            res.headers.emplace_back(std::string(view(r->headers[i].name)),
                                     std::string(view(r->headers[i].value)));
        *o = std::move(res);
    };
    int handled = 0;
    host::ProviderCallMarker marker(label_, "handle_route");
    try {
        handled = desc_->handle_route(instance_, &req, on_response, &out);
    } catch (...) {
        handled = 0;
    }
    if (!handled) return std::nullopt;
    if (!out) {
        RouteResponse failed;
        failed.status = 503;
        failed.body =
            R"({"error":"temporarily_unavailable","error_description":"the auth provider failed to answer"})";
        return failed;
    }
    return out;
}

} // namespace fastmcp
