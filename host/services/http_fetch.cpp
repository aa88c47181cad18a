#include "http_fetch.hpp"

#include "client_session.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>

namespace fastmcp::host {
namespace {} // namespace

plugin::HttpResponse http_fetch(const plugin::HttpRequest &request) {
    plugin::HttpResponse out;
    const uint32_t timeout_ms = request.timeout_ms ? request.timeout_ms : kDefaultFetchTimeoutMs;
    const uint64_t max_bytes =
        request.max_response_bytes ? request.max_response_bytes : kDefaultMaxResponseBytes;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    try {
        Poco::URI uri(request.url);
        auto session = net::open_client_session(
            uri, Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_ms) * 1000));
        if (!session) {
            out.error = "unsupported URL scheme";
            return out;
        }

        std::string target = uri.getPathEtc();
        if (target.empty()) target = "/";
        Poco::Net::HTTPRequest req(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("Accept", "application/json");
        req.set("User-Agent", "fastmcp-cpp");
        for (const auto &[name, value] : request.headers)
            req.set(name, value);
        if (!request.body.empty() || request.method == "POST")
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        session->sendRequest(req) << request.body;

        Poco::Net::HTTPResponse res;
        std::istream &body = session->receiveResponse(res);
        if (res.hasContentLength() &&
            res.getContentLength64() > static_cast<Poco::Int64>(max_bytes)) {
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
