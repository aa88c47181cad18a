#include "auth_slot.hpp"

#include "../auth/challenge.hpp"
#include "../auth/verify_watchdog.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace fastmcp::host {
namespace {

// What the reaper writes when a verify passes its deadline: the response the handler sends for
// provider_unavailable, with its CORS headers, as raw bytes built once per backend.
std::string canned_provider_timeout(const Challenge &c) {
    std::string out = "HTTP/1.1 503 Service Unavailable\r\n";
    out += std::string("Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: ") +
           kExposeHeaders + "\r\n";
    if (!c.www_authenticate.empty()) out += "WWW-Authenticate: " + c.www_authenticate + "\r\n";
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(c.body.size()) +
           "\r\nConnection: close\r\n\r\n" + c.body;
    return out;
}

} // namespace

std::string derived_metadata_url(const std::string &resource) {
    size_t scheme = resource.find("://");
    if (scheme == std::string::npos) return {};
    size_t path = resource.find('/', scheme + 3);
    std::string origin = path == std::string::npos ? resource : resource.substr(0, path);
    std::string rest = path == std::string::npos ? "" : resource.substr(path);
    if (rest == "/") rest.clear();
    return origin + "/.well-known/oauth-protected-resource" + rest;
}

std::shared_ptr<const AuthView> make_auth_view(std::shared_ptr<const AuthBackend> backend) {
    auto view = std::make_shared<AuthView>();
    if (backend) {
        const AuthInfo &info = backend->info();
        view->metadata_url = info.resource_metadata_url.empty()
                                 ? derived_metadata_url(info.resource)
                                 : info.resource_metadata_url;
        if (const auto *watchdog = dynamic_cast<const VerifyWatchdog *>(backend.get()))
            view->verify_deadline = VerifyDeadline{
                watchdog, canned_provider_timeout(provider_unavailable(view->metadata_url))};
    }
    view->backend = std::move(backend);
    return view;
}

void AuthSlot::replace(std::shared_ptr<const AuthBackend> backend) {
    std::shared_ptr<const AuthView> next = make_auth_view(std::move(backend));
    std::lock_guard lock(mutex_);
    std::swap(view_, next);
    retired_.push_back(std::move(next));
}

size_t AuthSlot::collect() {
    std::vector<std::shared_ptr<const AuthView>> unpinned;
    size_t pinned = 0;
    {
        std::lock_guard lock(mutex_);
        // use_count() == 1 is final: pins are only copied from the slot (which no longer hands
        // this one out), so none can appear once the count is 1.
        auto free = std::partition(retired_.begin(), retired_.end(),
                                   [](const auto &view) { return view.use_count() > 1; });
        std::move(free, retired_.end(), std::back_inserter(unpinned));
        retired_.erase(free, retired_.end());
        pinned = retired_.size();
    }
    // Destroyed here, outside the lock: a provider's destructor may take a while (threads to join).
    unpinned.clear();
    return pinned;
}

} // namespace fastmcp::host
