#pragma once
// Argument checks every backend applies before touching storage (same errors everywhere).
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <string>

namespace fastmcp::oauth_proxy::detail {

inline void check_key(RecordKind kind, std::string_view key) {
    if (key.empty() || key.size() > max_key_bytes)
        throw StoreError(StoreError::Reason::invalid_argument,
                         std::string(kind_name(kind)) + " key: empty or longer than " +
                             std::to_string(max_key_bytes) + " bytes");
}

inline void check_record(RecordKind kind, std::string_view key, std::string_view value,
                         std::chrono::milliseconds ttl) {
    check_key(kind, key);
    if (value.size() > max_value_bytes)
        throw StoreError(StoreError::Reason::invalid_argument,
                         std::string(kind_name(kind)) + " value longer than " +
                             std::to_string(max_value_bytes) + " bytes");
    if (ttl.count() <= 0)
        throw StoreError(StoreError::Reason::invalid_argument,
                         std::string(kind_name(kind)) + " record: TTL must be positive");
}

inline void check_writes(const std::vector<Write> &writes) {
    for (const auto &w : writes)
        check_record(w.kind, w.key, w.value, w.ttl);
}

} // namespace fastmcp::oauth_proxy::detail
