#include "http_exchange.hpp"

#include "client_session.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace fastmcp::client {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (const auto &[k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

std::string HttpResponse::content_type() const {
    std::string ct = header("Content-Type");
    ct = ct.substr(0, ct.find(';'));
    ct.erase(std::remove_if(ct.begin(), ct.end(), [](unsigned char c) { return std::isspace(c); }),
             ct.end());
    std::transform(ct.begin(), ct.end(), ct.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ct;
}

HttpResponse http_exchange(const HttpRequest &request) {
    HttpResponse out;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
    try {
        Poco::URI uri(request.url);
        auto session = net::open_client_session(
            uri, Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(request.timeout_ms) * 1000));
        if (!session) {
            out.error = "unsupported URL scheme in " + uri.getScheme();
            return out;
        }

        std::string target = uri.getPathEtc();
        if (target.empty()) target = "/";
        Poco::Net::HTTPRequest req(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("User-Agent", "fastmcp-cpp-client");
        for (const auto &[k, v] : request.headers)
            req.set(k, v);
        if (!request.body.empty() || request.method == "POST")
            req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        session->sendRequest(req) << request.body;

        Poco::Net::HTTPResponse res;
        std::istream &body = session->receiveResponse(res);
        char buf[16384];
        while (body) {
            body.read(buf, sizeof buf);
            out.body.append(buf, static_cast<size_t>(body.gcount()));
            if (out.body.size() > request.max_response_bytes) {
                out = {};
                out.error =
                    "response larger than " + std::to_string(request.max_response_bytes) + " bytes";
                return out;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                out = {};
                out.error = "timed out after " + std::to_string(request.timeout_ms) + " ms";
                return out;
            }
        }
        out.status = static_cast<int>(res.getStatus());
        for (const auto &[k, v] : res)
            out.headers.emplace_back(k, v);
    } catch (const Poco::TimeoutException &) {
        out = {};
        out.error = "timed out after " + std::to_string(request.timeout_ms) + " ms";
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

std::string form_encode(const std::vector<std::pair<std::string, std::string>> &fields) {
    std::string out;
    for (const auto &[k, v] : fields) {
        std::string ek, ev;
        // Reserved set per the form-urlencoded rules: everything but unreserved characters.
        Poco::URI::encode(k, "!#$&'()*+,/:;=?@[]% \"<>", ek);
        Poco::URI::encode(v, "!#$&'()*+,/:;=?@[]% \"<>", ev);
        if (!out.empty()) out += '&';
        out += ek + '=' + ev;
    }
    return out;
}

} // namespace fastmcp::client
