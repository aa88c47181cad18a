// The one way this project opens an outgoing HTTP(S) connection (the host's fetch service for
// providers, `fastmcp client`, the Supabase example): TLS peers are verified against the system
// CA store with the host name checked (VERIFY_STRICT), and one timeout covers connect, send and
// receive. No keep-alive: every exchange is its own connection.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <memory>

namespace fastmcp::net {

// nullptr when the scheme is neither http nor https.
std::unique_ptr<Poco::Net::HTTPClientSession> open_client_session(const Poco::URI &uri,
                                                                  Poco::Timespan timeout);

} // namespace fastmcp::net
