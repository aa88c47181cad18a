// STORAGE -> backend, with the encryption key from STORAGE_ENCRYPTION_KEY or JWT_SIGNING_KEY.
#include "fastmcp/oauth_proxy/store_factory.hpp"

#include "fastmcp/oauth_proxy/record_cipher.hpp"
#include "fastmcp/oauth_proxy/redis_store.hpp"
#include "fastmcp/oauth_proxy/sqlite_store.hpp"

namespace fastmcp::oauth_proxy {
namespace {

constexpr std::string_view accepted = "accepted: unset or \"sqlite\" (file in "
                                      "$XDG_STATE_HOME/fastmcp/), \"sqlite:///absolute/path\", "
                                      "\"redis://host:port/db\", \"memory\" (not durable)";

MasterKey master_key(const StoreConfig &config) {
    if (!config.storage_encryption_key.empty())
        return parse_storage_encryption_key(config.storage_encryption_key);
    return derive_storage_key(config.jwt_signing_key);
}

} // namespace

std::unique_ptr<StateStore> open_state_store(const StoreConfig &config) {
    const std::string &s = config.storage;
    if (s == "memory") return make_memory_store(config.clock);
    if (s.empty() || s == "sqlite")
        return make_sqlite_store(default_sqlite_path(), master_key(config), config.clock);
    if (s.rfind("sqlite://", 0) == 0) {
        const std::string path = s.substr(std::string_view("sqlite://").size());
        if (path.size() < 2 || path.front() != '/')
            throw StoreError(
                StoreError::Reason::config,
                "STORAGE: sqlite:// needs an absolute path, as sqlite:///var/lib/x.db (" +
                    std::string(accepted) + ")");
        return make_sqlite_store(path, master_key(config), config.clock);
    }
    if (s.rfind("redis://", 0) == 0)
        return make_redis_store(parse_redis_url(s), master_key(config));
    throw StoreError(StoreError::Reason::config,
                     "STORAGE: unsupported value (" + std::string(accepted) + ")");
}

} // namespace fastmcp::oauth_proxy
