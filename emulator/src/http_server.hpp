// The emulator on the wire: a Poco HTTPServer on loopback that maps AuthKit's routes onto an
// AuthorizationServer, plus /__admin routes for tests (rotate keys, stats, simulated outage).
#pragma once

#include "authorization_server.hpp"
#include "options.hpp"

#include <memory>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace fastmcp::emulator {

class EmulatorServer {
public:
    explicit EmulatorServer(EmulatorOptions options);
    ~EmulatorServer();
    EmulatorServer(const EmulatorServer &) = delete;
    EmulatorServer &operator=(const EmulatorServer &) = delete;

    // Binds and starts serving; port() is valid afterwards.
    void start();
    void stop();
    uint16_t port() const { return port_; }
    const std::string &issuer() const { return as_->issuer(); }
    AuthorizationServer &authorization_server() { return *as_; }

private:
    EmulatorOptions options_;
    uint16_t port_ = 0;
    std::unique_ptr<AuthorizationServer> as_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

} // namespace fastmcp::emulator
