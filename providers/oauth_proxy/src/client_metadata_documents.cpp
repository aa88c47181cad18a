#include "fastmcp/oauth_proxy/client_metadata_documents.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace fastmcp::oauth_proxy {
namespace {

constexpr size_t kMaxUrl = 512; // a client_id is also a store key (max_key_bytes)

CimdResult refused(const char *reason, std::string detail) {
    CimdResult r;
    r.reason = reason;
    r.detail = std::move(detail);
    return r;
}

bool loopback_host(const std::string &host) {
    return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

bool has_dot_segment(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view seg = path.substr(start, end - start);
        if (seg == "." || seg == ".." || seg == "%2e" || seg == "%2E" || seg == "%2e%2e" ||
            seg == "%2E%2E")
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace

bool ClientMetadataDocuments::names_document(std::string_view client_id) {
    return client_id.rfind("https://", 0) == 0 || client_id.rfind("http://", 0) == 0;
}

std::string ClientMetadataDocuments::url_problem(const std::string &url) const {
    if (url.size() > kMaxUrl) return "the client_id URL is too long";
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\')
            return "the client_id URL has forbidden characters";
    Poco::URI u;
    try {
        u = Poco::URI(url);
    } catch (const Poco::Exception &) {
        return "the client_id is not a URL";
    }
    if (u.getHost().empty()) return "the client_id URL has no host";
    if (!u.getUserInfo().empty() || url.find('@') != std::string::npos)
        return "the client_id URL has user-info";
    if (!u.getFragment().empty() || url.find('#') != std::string::npos)
        return "the client_id URL has a fragment";
    const std::string path = u.getPath();
    if (path.empty() || path == "/") return "the client_id URL has no path";
    const size_t path_at = url.find('/', url.find("://") + 3);
    if (has_dot_segment(std::string_view(url).substr(path_at, url.find('?', path_at) - path_at)))
        return "the client_id URL has dot segments";
    if (u.getScheme() == "https") return "";
    if (u.getScheme() == "http" && options_.allow_http_loopback && loopback_host(u.getHost()))
        return "";
    if (u.getScheme() == "http" && loopback_host(u.getHost()))
        return "http client_id URLs need CIMD_ALLOW_HTTP_LOOPBACK (development only)";
    return "the client_id URL must be https";
}

CimdResult ClientMetadataDocuments::validate(const std::string &url,
                                             const std::string &body) const {
    using nlohmann::json;
    if (body.size() > options_.max_document_bytes)
        return refused(cimd_reason::too_large, "the document exceeds " +
                                                   std::to_string(options_.max_document_bytes) +
                                                   " bytes");
    const json doc = json::parse(body, nullptr, false);
    if (!doc.is_object())
        return refused(cimd_reason::invalid_document, "the document is not a JSON object");
    auto id = doc.find("client_id");
    if (id == doc.end() || !id->is_string())
        return refused(cimd_reason::invalid_document, "the document has no client_id");
    if (id->get<std::string>() != url)
        return refused(cimd_reason::client_id_mismatch,
                       "the document's client_id is not the URL it was fetched from");
    // A document is public: it can hold no shared secret, and describes a public client.
    if (doc.contains("client_secret") || doc.contains("client_secret_expires_at"))
        return refused(cimd_reason::invalid_document, "the document contains a client secret");
    if (auto m = doc.find("token_endpoint_auth_method"); m != doc.end() && *m != "none")
        return refused(cimd_reason::invalid_document,
                       "only token_endpoint_auth_method \"none\" is supported");
    CimdClient c;
    c.client_id = url;
    auto uris = doc.find("redirect_uris");
    if (uris == doc.end() || !uris->is_array() || uris->empty() || uris->size() > kMaxRedirectUris)
        return refused(cimd_reason::invalid_document,
                       "redirect_uris must be a non-empty array of at most 10");
    for (const auto &u : *uris) {
        if (!u.is_string() || u.get<std::string>().empty() || u.get<std::string>().size() > 2048)
            return refused(cimd_reason::invalid_document, "redirect_uris must hold URI strings");
        c.redirect_uris.push_back(u.get<std::string>());
    }
    if (auto n = doc.find("client_name"); n != doc.end()) {
        if (!n->is_string() || n->get<std::string>().size() > 200)
            return refused(cimd_reason::invalid_document, "client_name must be a short string");
        c.client_name = n->get<std::string>();
    }
    c.grant_types = {"authorization_code"};
    if (auto g = doc.find("grant_types"); g != doc.end()) {
        if (!g->is_array() || g->empty())
            return refused(cimd_reason::invalid_document, "grant_types must be a non-empty array");
        c.grant_types.clear();
        for (const auto &t : *g) {
            if (t != "authorization_code" && t != "refresh_token")
                return refused(cimd_reason::invalid_document,
                               "only authorization_code and refresh_token grants are supported");
            c.grant_types.push_back(t.get<std::string>());
        }
    }
    if (auto rt = doc.find("response_types"); rt != doc.end()) {
        if (!rt->is_array())
            return refused(cimd_reason::invalid_document, "response_types must be an array");
        for (const auto &t : *rt)
            if (t != "code")
                return refused(cimd_reason::invalid_document,
                               "only the code response type is supported");
    }
    CimdResult r;
    r.client = std::move(c);
    return r;
}

CimdResult ClientMetadataDocuments::fetch(const std::string &url) {
    plugin::HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    req.timeout_ms = options_.timeout_ms;
    req.max_response_bytes = options_.max_document_bytes;
    {
        std::lock_guard lock(mutex_);
        ++fetches_;
    }
    const plugin::HttpResponse r = host_.fetch(req);
    if (r.status == 0)
        return refused(cimd_reason::fetch_failed, "the document could not be fetched: " + r.error);
    if (r.status != 200) // redirects are not followed: a 3xx is a failure too
        return refused(cimd_reason::fetch_failed,
                       "the document URL answered HTTP " + std::to_string(r.status));
    return validate(url, r.body);
}

CimdResult ClientMetadataDocuments::resolve(const std::string &url) {
    const int64_t now = host_.now_ms();
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(url); it != cache_.end() && it->second.expires_ms > now)
            return it->second.result;
    }
    // Refused URLs are not worth a cache slot of their own: nothing was fetched.
    if (std::string why = url_problem(url); !why.empty())
        return refused(cimd_reason::url_invalid, why);
    CimdResult result = fetch(url);
    const int64_t ttl_s = result.client ? options_.cache_ttl_s : options_.failure_ttl_s;
    std::lock_guard lock(mutex_);
    if (cache_.size() >= options_.max_entries) {
        std::erase_if(cache_, [&](const auto &kv) { return kv.second.expires_ms <= now; });
        while (!cache_.empty() && cache_.size() >= options_.max_entries) {
            auto soonest =
                std::min_element(cache_.begin(), cache_.end(), [](const auto &a, const auto &b) {
                    return a.second.expires_ms < b.second.expires_ms;
                });
            cache_.erase(soonest);
        }
    }
    if (options_.max_entries > 0) cache_[url] = Entry{result, now + ttl_s * 1000};
    return result;
}

uint64_t ClientMetadataDocuments::fetches() const {
    std::lock_guard lock(mutex_);
    return fetches_;
}

} // namespace fastmcp::oauth_proxy
