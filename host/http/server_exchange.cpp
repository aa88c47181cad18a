#include "server_exchange.hpp"

#include "ascii_case.hpp"

#include <Poco/Exception.h>

#include <sys/socket.h>

#include <algorithm>
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

void BufferedResponse::add_fixed(std::string_view name, std::string_view value) {
    if (fixed_.empty()) fixed_.reserve(256);
    fixed_.append(name);
    fixed_ += ": ";
    fixed_.append(value);
    fixed_ += "\r\n";
}

void BufferedResponse::set_field(const std::string &name, const std::string &value) {
    // Rare (a provider route's own CORS field, say): drop a fixed line of that name first.
    for (size_t at = 0; at < fixed_.size();) {
        const size_t eol = fixed_.find("\r\n", at) + 2;
        const size_t colon = fixed_.find(':', at);
        if (iequals(std::string_view(fixed_).substr(at, colon - at), name))
            fixed_.erase(at, eol - at);
        else
            at = eol;
    }
    set(name, value);
}

void BufferedResponse::append_head(std::string &out, int status) {
    out += getVersion();
    out += ' ';
    out += std::to_string(status);
    out += ' ';
    out += getReason();
    out += "\r\n";
    out += fixed_;
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

namespace {

// A head copy is ~1.2 KB with a bearer token: above glibc's per-thread cache (1,032 bytes), where
// malloc and free go through the shared bins. With 10,000 idle connections having freed their read
// buffers, those bins are fragmented and each such allocation cost a bin search (a third of the
// loop's time in that benchmark). Each thread keeps a few copies' memory for reuse instead.
thread_local std::vector<std::string> t_spare_heads;
constexpr size_t kSpareHeads = 64;
constexpr size_t kMaxSpareHeadBytes = 64 * 1024;

std::string take_head_buffer() {
    if (t_spare_heads.empty()) return {};
    std::string s = std::move(t_spare_heads.back());
    t_spare_heads.pop_back();
    s.clear();
    return s;
}

void give_head_buffer(std::string &&s) {
    if (s.capacity() > 15 && s.capacity() <= kMaxSpareHeadBytes &&
        t_spare_heads.size() < kSpareHeads)
        t_spare_heads.push_back(std::move(s));
}

} // namespace

ParsedRequest::~ParsedRequest() { give_head_buffer(std::move(field_text_)); }

ParsedRequest::ParsedRequest(const RequestHead &head, BufferedResponse &response,
                             const Poco::Net::SocketAddress &client,
                             const Poco::Net::SocketAddress &server,
                             const Poco::Net::HTTPServerParams &params)
    : response_(response), client_(client), server_(server), params_(params), framing_(head.body),
      content_length_(head.content_length) {
    setMethod(std::string(head.method));
    setURI(std::string(head.target));
    setVersion(head.minor_version == 0 ? HTTP_1_0 : HTTP_1_1);
    // The fields view one contiguous stretch of the head: copy that once and rebase the views.
    if (!head.fields.empty()) {
        const char *first = head.fields.front().first.data();
        const char *last = first;
        for (const auto &[name, value] : head.fields) {
            first = std::min(first, name.data());
            last = std::max(last, value.data() + value.size());
        }
        field_text_ = take_head_buffer();
        field_text_.assign(first, static_cast<size_t>(last - first));
        fields_.reserve(head.fields.size());
        const char *base = field_text_.data();
        for (const auto &[name, value] : head.fields)
            fields_.emplace_back(std::string_view(base + (name.data() - first), name.size()),
                                 std::string_view(base + (value.data() - first), value.size()));
    }
}

std::string_view ParsedRequest::field(std::string_view name, std::string_view fallback) const {
    for (const auto &[n, v] : fields_)
        if (iequals(n, name)) return v;
    return fallback;
}

bool ParsedRequest::getKeepAlive() const {
    const std::string_view connection = field("Connection");
    if (!connection.empty()) return !iequals(connection, "close");
    return getVersion() == HTTP_1_1;
}

bool ParsedRequest::getExpectContinue() const { return iequals(field("Expect"), "100-continue"); }

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
