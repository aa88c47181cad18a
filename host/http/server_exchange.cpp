#include "server_exchange.hpp"

#include <Poco/Exception.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace fastmcp::host {

std::ostream &BufferedResponse::send() {
    sent_ = true;
    if (!out_) out_.emplace(&body_buf_);
    return *out_;
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

void BufferedResponse::append_head(std::string &out, int status) {
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
}

std::string BufferedResponse::serialize(bool head_request) {
    const int status = static_cast<int>(getStatus());
    const bool bodiless_status = (status >= 100 && status < 200) || status == 204 || status == 304;
    if (bodiless_status)
        erase("Content-Length"); // RFC 9110 §8.6: never on 1xx/204
    else if (!hasContentLength())
        setContentLength(static_cast<std::streamsize>(body_buf_.body.size()));
    const std::string &body = body_buf_.body;
    std::string out;
    out.reserve(256 + body.size());
    append_head(out, status);
    if (!head_request && !bodiless_status) out += body;
    return out;
}

std::string BufferedResponse::serialize_stream_head() {
    sent_ = true;
    erase("Content-Length");
    std::string out;
    out.reserve(256);
    append_head(out, static_cast<int>(getStatus()));
    return out;
}

ParsedRequest::ParsedRequest(const RequestHead &head, BufferedResponse &response,
                             const Poco::Net::SocketAddress &client,
                             const Poco::Net::SocketAddress &server,
                             const Poco::Net::HTTPServerParams &params)
    : response_(response), client_(client), server_(server), params_(params), framing_(head.body),
      content_length_(head.content_length), body_stream_(&body_buf_) {
    setMethod(std::string(head.method));
    setURI(std::string(head.target));
    setVersion(head.minor_version == 0 ? HTTP_1_0 : HTTP_1_1);
    for (const auto &[name, value] : head.fields)
        add(std::string(name), std::string(value));
}

void ParsedRequest::body_complete() {
    body_complete_ = true;
    if (body_stream_) {
        body_buf_.set(body_);
        body_stream_->clear();
    }
}

std::istream &ParsedRequest::stream() {
    if (!body_stream_) {
        body_stream_.emplace(&body_buf_);
        if (body_complete_) body_buf_.set(body_);
    }
    return *body_stream_;
}

} // namespace fastmcp::host
