#pragma once
// The shared StateStore: Redis (7.x), so every replica sees one state.
#include "fastmcp/oauth_proxy/record_cipher.hpp"
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace fastmcp::oauth_proxy {

struct RedisAddress {
    std::string host;
    int port = 6379;
    int db = 0;
    std::string username;        // optional (Redis 6 ACL)
    std::string password;        // optional; never printed
    std::string display() const; // redis://host:port/db
};

// "redis://[[user]:password@]host[:port][/db]"; throws StoreError(config) naming the form.
RedisAddress parse_redis_url(const std::string &url);

struct RedisOptions {
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds command_timeout{2000};
    std::size_t max_connections = 8;
};

// Connects (fails closed: StoreError(unavailable) when Redis is down) and checks the key against
// the store's check record (StoreError(cannot_decrypt)). TTLs are Redis's own (SET PX); an
// injected clock plays no part: expiry follows the Redis server.
std::unique_ptr<StateStore> make_redis_store(const RedisAddress &address, const MasterKey &key,
                                             RedisOptions options = {});

} // namespace fastmcp::oauth_proxy
