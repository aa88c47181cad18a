// Header-only C++ layer over auth_plugin.h that makes writing a provider short.
// Depends only on the C++ standard library, so a provider needs nothing else to build.
//
//   class Hello : public fastmcp::plugin::Provider { ... };
//   FASTMCP_AUTH_MODULE("hello", "1.0", FASTMCP_PROVIDER(Hello, "HelloProvider", ...));
//
// Exceptions thrown by a provider are caught here and turned into errors / INTERNAL_ERROR
// verdicts: nothing C++ ever crosses the C boundary.
#pragma once

#include "fastmcp/auth_plugin.h"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::plugin {

inline std::string_view view(fastmcp_str s) { return {s.data ? s.data : "", s.size}; }
inline fastmcp_str str(std::string_view s) { return {s.data(), s.size()}; }

// A verified credential. Immutable once built, so it can be shared by a cache.
struct VerifiedToken {
    std::string token; // raw, byte for byte as presented
    std::string subject;
    std::string client_id;
    std::string issuer;
    std::vector<std::string> scopes;
    int64_t expires_at = 0; // Unix seconds, 0 = none
    std::string claims_json = "{}";
};

struct Verdict {
    fastmcp_reason reason = FASTMCP_REASON_INTERNAL_ERROR;
    std::string description;
    std::string required_scope; // space-separated, with INSUFFICIENT_SCOPE
    std::shared_ptr<const VerifiedToken> token;

    static Verdict ok(std::shared_ptr<const VerifiedToken> t) {
        Verdict v;
        v.reason = FASTMCP_REASON_OK;
        v.token = std::move(t);
        return v;
    }
    static Verdict reject(fastmcp_reason r, std::string description) {
        Verdict v;
        v.reason = r;
        v.description = std::move(description);
        return v;
    }
};

struct HttpResponse {
    int status = 0; // 0 = the exchange failed, see error
    std::string body;
    std::string content_type;
    std::string error;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    uint32_t timeout_ms = 0;
    uint64_t max_response_bytes = 0;
};

// The host's services, as lent at create time.
class Host {
public:
    explicit Host(const fastmcp_host_api *api) : api_(api) {}

    void log(fastmcp_log_level level, std::string_view message) const {
        if (api_ && api_->log) api_->log(api_->ctx, level, message.data(), message.size());
    }
    int64_t now_ms() const { return api_ && api_->now_ms ? api_->now_ms(api_->ctx) : 0; }
    std::string_view mcp_path() const {
        return api_ && api_->mcp_path.size ? view(api_->mcp_path) : std::string_view("/mcp");
    }
    std::string_view bind_host() const { return api_ ? view(api_->bind_host) : std::string_view(); }
    bool bind_is_loopback() const { return api_ ? api_->bind_is_loopback != 0 : true; }

    HttpResponse fetch(const HttpRequest &request) const {
        HttpResponse out;
        if (!api_ || !api_->http_fetch) {
            out.error = "host offers no HTTP client";
            return out;
        }
        std::vector<fastmcp_http_header> headers;
        headers.reserve(request.headers.size());
        for (const auto &[name, value] : request.headers) headers.push_back({str(name), str(value)});
        fastmcp_http_request req{};
        req.struct_size = sizeof req;
        req.method = request.method.c_str();
        req.url = str(request.url);
        req.headers = headers.data();
        req.header_count = headers.size();
        req.body = str(request.body);
        req.timeout_ms = request.timeout_ms;
        req.max_response_bytes = request.max_response_bytes;
        api_->http_fetch(
            api_->ctx, &req,
            [](void *user, const fastmcp_http_response *r) {
                auto *o = static_cast<HttpResponse *>(user);
                o->status = r->status;
                o->body.assign(view(r->body));
                o->content_type.assign(view(r->content_type));
                o->error.assign(view(r->error));
            },
            &out);
        return out;
    }
    HttpResponse get(std::string url, uint32_t timeout_ms = 0, uint64_t max_bytes = 0) const {
        HttpRequest r;
        r.url = std::move(url);
        r.timeout_ms = timeout_ms;
        r.max_response_bytes = max_bytes;
        return fetch(r);
    }
    const fastmcp_host_api *api() const { return api_; }

private:
    const fastmcp_host_api *api_;
};

struct RouteRequest {
    std::string_view method;
    std::string_view path;
    std::string_view query;
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    std::string_view body; // ABI 1.2: POST routes only; empty from an older host

    std::string_view header(std::string_view name) const {
        for (const auto &[n, v] : headers) {
            if (n.size() != name.size()) continue;
            bool same = true;
            for (size_t i = 0; i < n.size() && same; ++i)
                same = (n[i] | 0x20) == (name[i] | 0x20);
            if (same) return v;
        }
        return {};
    }
};

struct RouteResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// What a provider implements. verify and handle_route must be thread-safe.
class Provider {
public:
    virtual ~Provider() = default;
    virtual Verdict verify(std::string_view token) = 0;
    // The answer from what the provider already holds, never blocking (see verify_cached in
    // auth_plugin.h); nullopt sends the host to verify() on a worker thread.
    virtual std::optional<Verdict> verify_cached(std::string_view) { return std::nullopt; }
    virtual std::string describe_json() = 0;
    // Return true when the route is the provider's and `out` was filled.
    virtual bool handle_route(const RouteRequest &, RouteResponse &) { return false; }
};

// Thrown from a provider constructor to report a configuration error.
struct ConfigError : std::exception {
    explicit ConfigError(std::string m) : message(std::move(m)) {}
    const char *what() const noexcept override { return message.c_str(); }
    std::string message;
};

namespace detail {

inline void emit_verdict(const Verdict &v, fastmcp_verdict_fn on_verdict, void *user) {
    fastmcp_verdict out{};
    out.struct_size = sizeof out;
    out.reason = v.reason;
    out.description = str(v.description);
    out.required_scope = str(v.required_scope);
    std::vector<fastmcp_str> scopes;
    if (v.token) {
        const VerifiedToken &t = *v.token;
        out.token = str(t.token);
        out.subject = str(t.subject);
        out.client_id = str(t.client_id);
        out.issuer = str(t.issuer);
        scopes.reserve(t.scopes.size());
        for (const auto &s : t.scopes) scopes.push_back(str(s));
        out.scopes = scopes.data();
        out.scope_count = scopes.size();
        out.expires_at = t.expires_at;
        out.claims_json = str(t.claims_json);
    }
    on_verdict(user, &out);
}

template <class T> struct Thunks {
    static int create(const fastmcp_host_api *host, const char *settings, size_t size, void **out,
                      fastmcp_bytes_fn on_error, void *error_user) {
        auto fail = [&](const std::string &m) {
            if (on_error) on_error(error_user, m.data(), m.size());
            return 1;
        };
        try {
            *out = new T(Host(host), std::string_view(settings, size));
            return 0;
        } catch (const std::exception &e) {
            return fail(e.what());
        } catch (...) {
            return fail("provider create failed with an unknown exception");
        }
    }
    static void destroy(void *self) { delete static_cast<T *>(self); }
    static int verify(void *self, const char *token, size_t size, fastmcp_verdict_fn on_verdict,
                      void *user) {
        try {
            Verdict v = static_cast<T *>(self)->verify(std::string_view(token, size));
            emit_verdict(v, on_verdict, user);
            return 0;
        } catch (...) {
            return 1; // the host treats this as a rejection
        }
    }
    static int verify_cached(void *self, const char *token, size_t size,
                             fastmcp_verdict_fn on_verdict, void *user) {
        try {
            std::optional<Verdict> v = static_cast<T *>(self)->verify_cached(std::string_view(token, size));
            if (!v) return 0;
            emit_verdict(*v, on_verdict, user);
            return 1;
        } catch (...) {
            return 0; // the worker-thread verify decides
        }
    }
    static int describe(void *self, fastmcp_bytes_fn on_json, void *user) {
        try {
            std::string json = static_cast<T *>(self)->describe_json();
            on_json(user, json.data(), json.size());
            return 0;
        } catch (...) {
            return 1;
        }
    }
    static int handle_route(void *self, const fastmcp_route_request *request,
                            fastmcp_route_response_fn on_response, void *user) {
        try {
            RouteRequest req;
            req.method = view(request->method);
            req.path = view(request->path);
            req.query = view(request->query);
            for (size_t i = 0; i < request->header_count; ++i)
                req.headers.emplace_back(view(request->headers[i].name),
                                         view(request->headers[i].value));
            if (request->struct_size >= offsetof(fastmcp_route_request, body) + sizeof(fastmcp_str))
                req.body = view(request->body);
            RouteResponse res;
            if (!static_cast<T *>(self)->handle_route(req, res)) return 0;
            std::vector<fastmcp_http_header> headers;
            for (const auto &[n, v] : res.headers) headers.push_back({str(n), str(v)});
            fastmcp_route_response out{};
            out.struct_size = sizeof out;
            out.status = res.status;
            out.content_type = str(res.content_type);
            out.body = str(res.body);
            out.headers = headers.data();
            out.header_count = headers.size();
            on_response(user, &out);
            return 1;
        } catch (...) {
            return 0;
        }
    }
};

} // namespace detail

// Describe provider class T (constructible from (Host, std::string_view settings_json)).
template <class T>
constexpr fastmcp_provider_desc make_provider_desc(const char *name, const char *env_prefix,
                                                   const char *summary,
                                                   const fastmcp_setting_field *fields,
                                                   size_t field_count) {
    return fastmcp_provider_desc{sizeof(fastmcp_provider_desc),
                                 name,
                                 env_prefix,
                                 summary,
                                 fields,
                                 field_count,
                                 &detail::Thunks<T>::create,
                                 &detail::Thunks<T>::destroy,
                                 &detail::Thunks<T>::verify,
                                 &detail::Thunks<T>::describe,
                                 &detail::Thunks<T>::handle_route,
                                 &detail::Thunks<T>::verify_cached};
}

constexpr fastmcp_setting_field field(const char *name, fastmcp_field_type type, uint32_t flags,
                                      const char *default_value, const char *help,
                                      const char *example = nullptr) {
    return fastmcp_setting_field{sizeof(fastmcp_setting_field), name, static_cast<uint32_t>(type),
                                 flags, default_value, help, example};
}

} // namespace fastmcp::plugin

// Defines the module's single exported entry symbol. Arguments after the version are
// `const fastmcp_provider_desc*` values (addresses of static descriptors).
// The function shares its name with the fastmcp_auth_module typedef, which C++ forbids in one
// scope: it is declared in a namespace (C linkage ignores namespaces) and the struct is named
// through its elaborated form.
#define FASTMCP_AUTH_MODULE(module_name, module_version, ...)                                      \
    namespace fastmcp_module_entry {                                                               \
    extern "C" FASTMCP_AUTH_EXPORT const struct fastmcp_auth_module *fastmcp_auth_module(void) {   \
        static const fastmcp_provider_desc *const providers[] = {__VA_ARGS__};                     \
        static const struct fastmcp_auth_module module = {                                         \
            FASTMCP_AUTH_ABI_MAJOR,                                                                \
            FASTMCP_AUTH_ABI_MINOR,                                                                \
            sizeof(struct fastmcp_auth_module),                                                    \
            module_name,                                                                           \
            module_version,                                                                        \
            providers,                                                                             \
            sizeof(providers) / sizeof(providers[0])};                                             \
        return &module;                                                                            \
    }                                                                                              \
    }
