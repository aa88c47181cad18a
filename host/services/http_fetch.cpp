#include "http_fetch.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>

namespace fastmcp::host {
namespace {

// Verifies peers against the system CA store (Debian: /etc/ssl/certs).
Poco::Net::Context::Ptr client_tls_context() {
    static Poco::Net::Context::Ptr ctx = [] {
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = true;
        return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    }();
    return ctx;
}

} // namespace

plugin::HttpResponse http_fetch(const plugin::HttpRequest &request) {
    plugin::HttpResponse out;
    const uint32_t timeout_ms = request.timeout_ms ? request.timeout_ms : kDefaultFetchTimeoutMs;
    const uint64_t max_bytes = request.max_response_bytes ? request.max_response_bytes : kDefaultMaxResponseBytes;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    try {
        Poco::URI uri(request.url);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https") {
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                      client_tls_context());
        } else if (uri.getScheme() == "http") {
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        } else {
            out.error = "unsupported URL scheme";
            return out;
        }
        const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(timeout_ms) * 1000);
        session->setTimeout(timeout, timeout, timeout);
        session->setKeepAlive(false);

        std::string target = uri.getPathEtc();
        if (target.empty()) target = "/";
        Poco::Net::HTTPRequest req(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("Accept", "application/json");
        req.set("User-Agent", "fastmcp-cpp");
        for (const auto &[name, value] : request.headers) req.set(name, value);
        if (!request.body.empty() || request.method == "POST") req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        session->sendRequest(req) << request.body;

        Poco::Net::HTTPResponse res;
        std::istream &body = session->receiveResponse(res);
        if (res.hasContentLength() && res.getContentLength64() > static_cast<Poco::Int64>(max_bytes)) {
            out.error = "response larger than " + std::to_string(max_bytes) + " bytes";
            return out;
        }
        char buf[16384];
        while (body) {
            body.read(buf, sizeof buf);
            out.body.append(buf, static_cast<size_t>(body.gcount()));
            if (out.body.size() > max_bytes) {
                out.body.clear();
                out.error = "response larger than " + std::to_string(max_bytes) + " bytes";
                return out;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                out.body.clear();
                out.error = "timed out after " + std::to_string(timeout_ms) + " ms";
                return out;
            }
        }
        out.status = static_cast<int>(res.getStatus());
        out.content_type = res.getContentType();
    } catch (const Poco::TimeoutException &) {
        out = {};
        out.error = "timed out after " + std::to_string(timeout_ms) + " ms";
    } catch (const Poco::Net::ConnectionRefusedException &) {
        out = {};
        out.error = "connection refused";
    } catch (const Poco::Exception &e) {
        out = {};
        out.error = e.displayText();
    } catch (const std::exception &e) {
        out = {};
        out.error = e.what();
    }
    return out;
}

} // namespace fastmcp::host
