// Names, reason codes and the system clock shared by every StateStore backend.
#include "fastmcp/oauth_proxy/state_store.hpp"

namespace fastmcp::oauth_proxy {

std::string_view kind_name(RecordKind kind) noexcept {
    switch (kind) {
    case RecordKind::client:
        return "client";
    case RecordKind::transaction:
        return "transaction";
    case RecordKind::consent:
        return "consent";
    case RecordKind::csrf:
        return "csrf";
    case RecordKind::authorization_code:
        return "authorization_code";
    case RecordKind::upstream_tokens:
        return "upstream_tokens";
    case RecordKind::jti:
        return "jti";
    case RecordKind::refresh_token:
        return "refresh_token";
    }
    return "unknown";
}

std::string_view reason_code(StoreError::Reason reason) noexcept {
    switch (reason) {
    case StoreError::Reason::unavailable:
        return "store_unavailable";
    case StoreError::Reason::cannot_decrypt:
        return "store_cannot_decrypt";
    case StoreError::Reason::corrupt:
        return "store_corrupt";
    case StoreError::Reason::invalid_argument:
        return "store_invalid_argument";
    case StoreError::Reason::config:
        return "store_config";
    }
    return "store_error";
}

Clock system_clock() {
    return [] {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
}

} // namespace fastmcp::oauth_proxy
