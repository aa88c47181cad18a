// Poco's HTTPServerRequest/HTTPServerResponse interfaces over our own request parsing
// (request_head, socket_reader), so that handlers keep the Poco API. The response is buffered and
// goes out as one write (head and body) once the handler returns: Poco's writes the head through
// an ostream field by field.
#pragma once

#include "request_head.hpp"
#include "socket_reader.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <istream>
#include <ostream>
#include <streambuf>
#include <string>

namespace fastmcp::host {

// The response to one request, written by commit().
class BufferedResponse : public Poco::Net::HTTPServerResponse {
  public:
    explicit BufferedResponse(int fd) : fd_(fd), out_(&body_buf_) {}

    std::ostream &send() override;
    void sendContinue() override;
    void sendFile(const std::string &path, const std::string &mediaType) override;
    void sendBuffer(const void *buffer, std::size_t length) override;
    void redirect(const std::string &uri, HTTPStatus status = HTTP_FOUND) override;
    void requireAuthentication(const std::string &realm) override;
    bool sent() const override { return sent_; }

    // Writes the status line, the fields and the body (none for HEAD, 1xx, 204, 304) in one go.
    // False when the peer is gone.
    bool commit(bool head_request);

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
    int fd_;
    bool sent_ = false;
    BodyBuf body_buf_;
    std::ostream out_;
};

// One parsed request; its body streams from the connection's reader.
class ParsedRequest : public Poco::Net::HTTPServerRequest {
  public:
    ParsedRequest(const RequestHead &head, BufferedResponse &response, SocketReader &reader,
                  const Poco::Net::SocketAddress &client, const Poco::Net::SocketAddress &server,
                  const Poco::Net::HTTPServerParams &params);

    std::istream &stream() override { return body_; }
    const Poco::Net::SocketAddress &clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress &serverAddress() const override { return server_; }
    const Poco::Net::HTTPServerParams &serverParams() const override { return params_; }
    Poco::Net::HTTPServerResponse &response() const override { return response_; }
    bool secure() const override { return false; }

  private:
    class BodyBuf : public std::streambuf {
      public:
        explicit BodyBuf(SocketReader &reader) : reader_(reader) {}

      protected:
        int_type underflow() override;
        std::streamsize xsgetn(char *s, std::streamsize n) override;

      private:
        SocketReader &reader_;
        char buffer_[4096];
    };
    BufferedResponse &response_;
    const Poco::Net::SocketAddress &client_;
    const Poco::Net::SocketAddress &server_;
    const Poco::Net::HTTPServerParams &params_;
    BodyBuf body_buf_;
    std::istream body_;
};

// Writes all of `data` to a blocking socket (SO_SNDTIMEO bounds it). False when the peer is gone.
bool send_all(int fd, std::string_view data);

} // namespace fastmcp::host
