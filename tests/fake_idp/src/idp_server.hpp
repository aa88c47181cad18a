// The fake IdP on the wire: two Poco HTTP servers on 127.0.0.1.
//   IdP port   — /.well-known/oauth-authorization-server and /oauth2/jwks, shaped by the fault mode;
//                `down` closes this listening socket (connection refused) and `up` rebinds the
//                same port.
//   admin port — /__admin/* (mint, mode, rotate, drop-kid, publish-kid, stats); never faulted, so
//                tests can always switch the IdP back.
#pragma once

#include "idp_state.hpp"

#include <cstdint>
#include <memory>
#include <mutex>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
} // namespace Poco

namespace fastmcp::fake_idp {

struct ServerOptions {
    uint16_t port = 0;        // IdP port; 0 = the OS picks
    uint16_t admin_port = 0;
    int64_t hang_max_ms = 30'000; // a hanging request is answered 503 after this long at most
    uint64_t huge_bytes = 50ull << 20;
};

class FakeIdpServer {
public:
    explicit FakeIdpServer(ServerOptions options);
    ~FakeIdpServer();
    FakeIdpServer(const FakeIdpServer &) = delete;
    FakeIdpServer &operator=(const FakeIdpServer &) = delete;

    void start();
    void down(); // close the IdP listening socket
    void up();   // reopen it on the same port (no-op when up)
    bool is_up() const;

    uint16_t port() const { return port_; }
    uint16_t admin_port() const { return admin_port_; }
    IdpState &state() { return state_; }
    const ServerOptions &options() const { return options_; }

private:
    void open_idp_locked();

    ServerOptions options_;
    IdpState state_;
    uint16_t port_ = 0;
    uint16_t admin_port_ = 0;
    mutable std::mutex mu_;
    std::unique_ptr<Poco::ThreadPool> idp_pool_, admin_pool_;
    std::unique_ptr<Poco::Net::HTTPServer> idp_, admin_;
};

} // namespace fastmcp::fake_idp
