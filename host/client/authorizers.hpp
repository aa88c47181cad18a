// The two ways `fastmcp client` authorizes: a fixed bearer token, or the OAuth flow.
#pragma once

#include "mcp_client.hpp"
#include "oauth_flow.hpp"

namespace fastmcp::client {

class BearerAuthorizer : public Authorizer {
  public:
    explicit BearerAuthorizer(std::string token) : token_(std::move(token)) {}
    std::optional<std::string> token() override { return token_; }
    std::optional<std::string> on_unauthorized(const std::string &) override {
        return std::nullopt;
    }

  private:
    std::string token_;
};

class OAuthAuthorizer : public Authorizer {
  public:
    explicit OAuthAuthorizer(OAuthSession &session) : session_(session) {}
    std::optional<std::string> token() override { return session_.current_token(); }
    std::optional<std::string> on_unauthorized(const std::string &www_authenticate) override {
        if (attempted_) return std::nullopt; // one sign-in per run: a second 401 is final
        attempted_ = true;
        return session_.on_unauthorized(www_authenticate);
    }
    // Step-up: the session bounds it (the scope must grow; at most max_step_ups times).
    std::optional<std::string> on_insufficient_scope(const std::string &www_authenticate) override {
        return session_.on_insufficient_scope(www_authenticate);
    }

  private:
    OAuthSession &session_;
    bool attempted_ = false;
};

} // namespace fastmcp::client
