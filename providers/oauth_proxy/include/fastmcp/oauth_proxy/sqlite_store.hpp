#pragma once
// The embedded StateStore: one SQLite file (WAL), shared safely by threads and by processes.
#include "fastmcp/oauth_proxy/record_cipher.hpp"
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <memory>
#include <string>

namespace fastmcp::oauth_proxy {

// $XDG_STATE_HOME/fastmcp/oauth_proxy.db, else $HOME/.local/state/fastmcp/oauth_proxy.db.
std::string default_sqlite_path();

// Creates missing parent directories (0700) and the file (0600; an existing file is tightened to
// 0600). Throws StoreError: unavailable (cannot open), cannot_decrypt (written with another key).
std::unique_ptr<StateStore> make_sqlite_store(const std::string &path, const MasterKey &key,
                                              Clock clock = system_clock());

} // namespace fastmcp::oauth_proxy
