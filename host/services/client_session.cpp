#include "client_session.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

namespace fastmcp::net {

namespace {

// Built once: loading the CA store is the expensive part of a TLS client context.
Poco::Net::Context::Ptr strict_tls_context() {
    static Poco::Net::Context::Ptr ctx = [] {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = true;
        return Poco::Net::Context::Ptr(
            new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    }();
    return ctx;
}

} // namespace

std::unique_ptr<Poco::Net::HTTPClientSession> open_client_session(const Poco::URI &uri,
                                                                  Poco::Timespan timeout) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https")
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                  strict_tls_context());
    else if (uri.getScheme() == "http")
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    else
        return nullptr;
    session->setTimeout(timeout, timeout, timeout);
    session->setKeepAlive(false);
    return session;
}

} // namespace fastmcp::net
