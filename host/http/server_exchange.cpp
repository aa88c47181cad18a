#include "server_exchange.hpp"

#include <Poco/Exception.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace fastmcp::host {

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

std::ostream &BufferedResponse::send() {
    sent_ = true;
    return out_;
}

void BufferedResponse::sendContinue() {
    // Interim response: goes out at once (the client waits for it before sending the body).
    send_all(fd_, getVersion() == HTTP_1_0 ? std::string_view()
                                           : std::string_view("HTTP/1.1 100 Continue\r\n\r\n"));
}

void BufferedResponse::sendFile(const std::string &, const std::string &) {
    throw Poco::NotImplementedException("sendFile");
}

void BufferedResponse::sendBuffer(const void *buffer, std::size_t length) {
    setContentLength(static_cast<std::streamsize>(length));
    body_buf_.body.assign(static_cast<const char *>(buffer), length);
    sent_ = true;
}

void BufferedResponse::redirect(const std::string &uri, HTTPStatus status) {
    setStatusAndReason(status);
    set("Location", uri);
    setContentLength(0);
    sent_ = true;
}

void BufferedResponse::requireAuthentication(const std::string &realm) {
    setStatusAndReason(HTTP_UNAUTHORIZED);
    set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    setContentLength(0);
    sent_ = true;
}

bool BufferedResponse::commit(bool head_request) {
    const int status = static_cast<int>(getStatus());
    const bool bodiless_status = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (bodiless_status)
        erase("Content-Length"); // RFC 9110 §8.6: never on 1xx/204
    else if (!hasContentLength())
        setContentLength(static_cast<std::streamsize>(body_buf_.body.size()));
    const std::string &body = body_buf_.body;
    std::string out;
    out.reserve(256 + body.size());
    out += getVersion();
    out += ' ';
    out += std::to_string(status);
    out += ' ';
    out += getReason();
    out += "\r\n";
    for (const auto &[name, value] : *this) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
    if (!head_request && !bodiless_status) out += body;
    return send_all(fd_, out);
}

ParsedRequest::ParsedRequest(const RequestHead &head, BufferedResponse &response,
                             SocketReader &reader, const Poco::Net::SocketAddress &client,
                             const Poco::Net::SocketAddress &server,
                             const Poco::Net::HTTPServerParams &params)
    : response_(response), client_(client), server_(server), params_(params), body_buf_(reader),
      body_(&body_buf_) {
    setMethod(std::string(head.method));
    setURI(std::string(head.target));
    setVersion(head.minor_version == 0 ? HTTP_1_0 : HTTP_1_1);
    for (const auto &[name, value] : head.fields)
        add(std::string(name), std::string(value));
}

ParsedRequest::BodyBuf::int_type ParsedRequest::BodyBuf::underflow() {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const size_t n = reader_.read_body(buffer_, sizeof buffer_);
    if (n == 0) return traits_type::eof();
    setg(buffer_, buffer_, buffer_ + n);
    return traits_type::to_int_type(*gptr());
}

std::streamsize ParsedRequest::BodyBuf::xsgetn(char *s, std::streamsize n) {
    std::streamsize got = 0;
    if (const std::streamsize buffered = egptr() - gptr();
        buffered > 0) { // what underflow already holds
        got = std::min(buffered, n);
        std::memcpy(s, gptr(), static_cast<size_t>(got));
        gbump(static_cast<int>(got));
    }
    while (got < n) { // the rest straight into the caller's buffer
        const size_t k = reader_.read_body(s + got, static_cast<size_t>(n - got));
        if (k == 0) break;
        got += static_cast<std::streamsize>(k);
    }
    return got;
}

} // namespace fastmcp::host
