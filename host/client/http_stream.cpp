#include "http_stream.hpp"

#include "client_session.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <istream>
#include <memory>
#include <sstream>

namespace fastmcp::client {
namespace {

// Reads one line from `in` (LF, CRLF or CR endings, as SSE allows), at most `max` bytes.
bool getline_any(std::istream &in, std::string &line, size_t max) {
    line.clear();
    while (true) {
        const int c = in.get();
        if (c == std::char_traits<char>::eof()) return !line.empty();
        if (c == '\n') return true;
        if (c == '\r') {
            if (in.peek() == '\n') in.get();
            return true;
        }
        line += static_cast<char>(c);
        if (line.size() > max) return false;
    }
}

struct Connection {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    Poco::Net::HTTPResponse response;
};

} // namespace

bool StreamedResponse::read_line(std::string &line) {
    if (!body) return false;
    try {
        return getline_any(*body, line, max_line);
    } catch (const Poco::Exception &) {
        return false; // idle past the timeout, or the connection dropped
    }
}

std::string StreamedResponse::header(std::string_view name) const {
    return find_header(headers, name);
}

std::string StreamedResponse::content_type() const { return media_type(header("Content-Type")); }

std::string StreamedResponse::read_body(size_t max_bytes) {
    std::string out, line;
    for (bool first = true; out.size() <= max_bytes && read_line(line); first = false) {
        if (!first) out += '\n';
        out += line;
    }
    return out;
}

StreamedResponse http_open_stream(const HttpRequest &request) {
    StreamedResponse out;
    out.max_line = request.max_response_bytes;
    try {
        Poco::URI uri(request.url);
        auto conn = std::make_shared<Connection>();
        conn->session = net::open_client_session(
            uri, Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(request.timeout_ms) * 1000));
        if (!conn->session) {
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
        conn->session->sendRequest(req) << request.body;
        out.body = &conn->session->receiveResponse(conn->response);
        out.status = static_cast<int>(conn->response.getStatus());
        for (const auto &[k, v] : conn->response)
            out.headers.emplace_back(k, v);
        out.keep_alive = conn;
        std::weak_ptr<Connection> weak = conn;
        out.abort = [weak] {
            if (auto c = weak.lock()) {
                try {
                    c->session->socket().shutdown();
                } catch (const Poco::Exception &) {
                }
            }
        };
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

StreamedResponse stream_from(HttpResponse response) {
    StreamedResponse out;
    out.status = response.status;
    out.headers = std::move(response.headers);
    out.error = std::move(response.error);
    auto buffer = std::make_shared<std::istringstream>(std::move(response.body));
    out.body = buffer.get();
    out.keep_alive = buffer;
    return out;
}

} // namespace fastmcp::client
