// Poco's HTTPServerRequest/HTTPServerResponse interfaces over our own request parsing
// (request_head, socket_reader), so that handlers keep the Poco API. The request body is read by
// the event loop into memory before the handler looks at it; the response is buffered and goes
// out as one write (head and body) when the handler finishes.
// Request header fields are a view: one copy of the head's field lines and (name, value) views into
// it, read with field()/fields(). Poco's NameValueCollection stays empty (a string pair and a
// case-insensitive scan per field was a tenth of a request's CPU), so its get/find/has/iteration
// are hidden on ParsedRequest.
#pragma once

#include "request_head.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <istream>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::host {

// The response to one request: serialize() gives the bytes to send.
class BufferedResponse : public Poco::Net::HTTPServerResponse {
  public:
    BufferedResponse() = default;

    std::ostream &send() override;
    // The whole body at once, without the ostream (constructing a std::ostream per response
    // costs a locale copy and facet lookups).
    void set_body(std::string_view body) {
        body_buf_.body.assign(body.data(), body.size());
        sent_ = true;
    }
    // A field the host adds once to every response and never reads back (Date, the CORS fields,
    // X-Request-Id): kept as ready "Name: value" lines instead of in Poco's collection, where each
    // field costs a string pair and a case-insensitive scan of the fields before it.
    void add_fixed(std::string_view name, std::string_view value);
    // set() that also replaces a fixed field of that name (the last value wins, as with set()).
    void set_field(const std::string &name, const std::string &value);
    // The loop answers Expect: 100-continue itself when the handler asks for the body.
    void sendContinue() override {}
    void sendFile(const std::string &path, const std::string &mediaType) override;
    void sendBuffer(const void *buffer, std::size_t length) override;
    void redirect(const std::string &uri, HTTPStatus status = HTTP_FOUND) override;
    void requireAuthentication(const std::string &realm) override;
    bool sent() const override { return sent_; }

    // The status line, the fields and the body (none for HEAD, 1xx, 204, 304).
    std::string serialize(bool head_request);
    // Only the status line and fields, for a streamed body (chunked, or close-delimited).
    std::string serialize_stream_head();

  private:
    class BodyBuf : public std::streambuf {
      public:
        std::string body;

      protected:
        int_type overflow(int_type c) override {
            if (c != traits_type::eof()) body.push_back(static_cast<char>(c));
            return traits_type::not_eof(c);
        }
        std::streamsize xsputn(const char *s, std::streamsize n) override {
            body.append(s, static_cast<size_t>(n));
            return n;
        }
    };
    void append_head(std::string &out, int status);
    std::string fixed_; // "Name: value\r\n" lines (add_fixed)
    bool sent_ = false;
    BodyBuf body_buf_;
    std::optional<std::ostream> out_; // made on the first send()
};

// One parsed request; stream() reads the body once the loop has read it (set_body).
class ParsedRequest : public Poco::Net::HTTPServerRequest {
  public:
    using Field = std::pair<std::string_view, std::string_view>;

    ParsedRequest(const RequestHead &head, BufferedResponse &response,
                  const Poco::Net::SocketAddress &client, const Poco::Net::SocketAddress &server,
                  const Poco::Net::HTTPServerParams &params);
    ~ParsedRequest() override;
    ParsedRequest(const ParsedRequest &) = delete;
    ParsedRequest &operator=(const ParsedRequest &) = delete;

    std::istream &stream() override;
    const Poco::Net::SocketAddress &clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress &serverAddress() const override { return server_; }
    const Poco::Net::HTTPServerParams &serverParams() const override { return params_; }
    Poco::Net::HTTPServerResponse &response() const override { return response_; }
    bool secure() const override { return false; }

    // The first field named `name` (case-insensitive), else `fallback`.
    std::string_view field(std::string_view name, std::string_view fallback = {}) const;
    // Every field in arrival order (a repeated name keeps each occurrence).
    const std::vector<Field> &fields() const { return fields_; }
    // What Poco's HTTPMessage answers, from the fields above.
    bool getKeepAlive() const;
    bool getExpectContinue() const;
    std::string getContentType() const { return std::string(field("Content-Type")); }

    RequestHead::Body framing() const { return framing_; }
    uint64_t declared_length() const { return content_length_; }
    std::string &body() { return body_; }
    void body_complete(); // rewinds stream() to the start of body()

  private:
    // Poco's header collection is not filled (see the top of this file): fail to compile.
    using Poco::Net::HTTPServerRequest::begin;
    using Poco::Net::HTTPServerRequest::end;
    using Poco::Net::HTTPServerRequest::find;
    using Poco::Net::HTTPServerRequest::get;
    using Poco::Net::HTTPServerRequest::has;

    class BodyBuf : public std::streambuf {
      public:
        void set(std::string &s) { setg(s.data(), s.data(), s.data() + s.size()); }
    };
    BufferedResponse &response_;
    const Poco::Net::SocketAddress &client_; // the connection's, which outlives the request
    const Poco::Net::SocketAddress &server_;
    const Poco::Net::HTTPServerParams &params_;
    RequestHead::Body framing_;
    uint64_t content_length_;
    std::string field_text_;    // the head's field lines, copied out of the read buffer
    std::vector<Field> fields_; // views into field_text_
    std::string body_;
    bool body_complete_ = false;
    BodyBuf body_buf_;
    std::optional<std::istream> body_stream_; // made on the first stream()
};

} // namespace fastmcp::host
