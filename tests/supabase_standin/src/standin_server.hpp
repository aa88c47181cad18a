// The stand-in on the wire: a Poco HTTPServer on 127.0.0.1 that routes
//   GET/POST /rest/v1/notes                 the gateway's apikey check, the JWT gate, RLS by sub
//   GET  /auth/v1/.well-known/jwks.json     the project's own Auth keys (SupabaseProvider reads it)
//   POST /__admin/mint                      a project-Auth token for {"sub","expires_in"?}
//   GET  /__admin/last-authorization-sha256 digest of the last Authorization header /rest/v1 saw
#pragma once

#include "jwt_gate.hpp"
#include "notes_table.hpp"
#include "project_auth.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
} // namespace Poco::Net

namespace fastmcp::host {
class HostServices;
}

namespace fastmcp::supabase_standin {

struct StandinOptions {
    uint16_t port = 0; // 0 = the OS picks
    std::string anon_key = "standin-anon-key";
    std::string third_party_issuer; // e.g. the AuthKit emulator's issuer
    int64_t clock_skew_s = 0;
    bool access_log = false;
};

class StandinServer {
public:
    explicit StandinServer(StandinOptions options);
    ~StandinServer();
    StandinServer(const StandinServer &) = delete;
    StandinServer &operator=(const StandinServer &) = delete;

    void start(); // binds 127.0.0.1; port() and base_url() are valid afterwards
    void stop();
    uint16_t port() const { return port_; }
    const std::string &base_url() const { return base_url_; }

    // One request, routed (the HTTP layer calls this; public so the handler stays a thin shim).
    Reply handle(Poco::Net::HTTPServerRequest &request);

private:
    Reply rest_notes(Poco::Net::HTTPServerRequest &request);
    Reply admin(Poco::Net::HTTPServerRequest &request, const std::string &path);

    StandinOptions options_;
    uint16_t port_ = 0;
    std::string base_url_;
    std::unique_ptr<host::HostServices> services_;
    std::unique_ptr<ProjectAuth> project_;
    std::unique_ptr<JwtGate> gate_;
    NotesTable notes_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;

    std::mutex mu_;
    std::string last_authorization_sha256_; // hex; empty until a request carried one
    uint64_t rest_requests_ = 0;
};

} // namespace fastmcp::supabase_standin
