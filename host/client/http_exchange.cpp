#include "http_exchange.hpp"

#include "http_stream.hpp"

#include "../http/ascii_case.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace fastmcp::client {

using fastmcp::host::iequals; // header names: ASCII case folding only, whatever the locale

std::string find_header(const Headers &headers, std::string_view name) {
    for (const auto &[k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

std::string media_type(std::string ct) {
    ct = ct.substr(0, ct.find(';'));
    ct.erase(std::remove_if(ct.begin(), ct.end(), [](unsigned char c) { return std::isspace(c); }),
             ct.end());
    std::transform(ct.begin(), ct.end(), ct.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ct;
}

std::string HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

std::string HttpResponse::content_type() const { return media_type(header("Content-Type")); }

HttpResponse http_exchange(const HttpRequest &request) {
    HttpResponse out;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
    StreamedResponse res = http_open_stream(request);
    if (res.status == 0) {
        out.error = std::move(res.error);
        return out;
    }
    try {
        char buf[16384];
        while (*res.body) {
            res.body->read(buf, sizeof buf);
            out.body.append(buf, static_cast<size_t>(res.body->gcount()));
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
    } catch (const Poco::TimeoutException &) {
        out = {};
        out.error = "timed out after " + std::to_string(request.timeout_ms) + " ms";
        return out;
    } catch (const Poco::Exception &e) {
        out = {};
        out.error = e.displayText();
        return out;
    }
    out.status = res.status;
    out.headers = std::move(res.headers);
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
