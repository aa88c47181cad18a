#pragma once
// STORAGE / STORAGE_ENCRYPTION_KEY / JWT_SIGNING_KEY -> the proxy's StateStore.
//
// Accepted STORAGE forms (anything else is StoreError::Reason::config naming them):
//   unset, "" or "sqlite"   SQLite file $XDG_STATE_HOME/fastmcp/oauth_proxy.db
//                           (fallback ~/.local/state/fastmcp/), dir 0700, file 0600
//   "sqlite:///abs/path"    SQLite file at /abs/path
//   "redis://host:port/db"  Redis (port default 6379, db default 0; "redis://:password@host...")
//   "memory"                in-process only, lost on exit (development and tests)
// Encryption key: STORAGE_ENCRYPTION_KEY, 32 bytes as 64 hex digits or standard/url-safe base64
// (wrong length = config error); else HKDF-SHA256 over JWT_SIGNING_KEY; neither = config error
// for the persistent backends. A store written with another key fails here with cannot_decrypt.
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <memory>
#include <string>

namespace fastmcp::oauth_proxy {

struct StoreConfig {
    std::string storage;                // STORAGE
    std::string storage_encryption_key; // STORAGE_ENCRYPTION_KEY (secret)
    std::string jwt_signing_key; // JWT_SIGNING_KEY (secret), HKDF input when the above is empty
    Clock clock = system_clock();
};

// Opens (and for SQLite creates) the store and checks the key against its check record.
// Throws StoreError (config, cannot_decrypt, unavailable) with a message that names no secret.
std::unique_ptr<StateStore> open_state_store(const StoreConfig &config);

} // namespace fastmcp::oauth_proxy
