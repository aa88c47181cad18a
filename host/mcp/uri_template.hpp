// RFC 6570 level 1 URI templates ("file:///{path}", "test://template/{id}/data"): matching a
// concrete URI against one and extracting its variables, for resources/read.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastmcp::host {

class UriTemplate {
  public:
    // Throws std::invalid_argument for an empty variable name, an unclosed brace or an operator
    // (levels 2-4: {+var}, {#var}...), which are not supported.
    explicit UriTemplate(std::string_view text);
    // The variables (a JSON object of percent-decoded strings) when `uri` matches, else nullopt.
    // A variable matches one or more characters other than '/', '?' and '#'.
    std::optional<nlohmann::json> match(std::string_view uri) const;
    const std::vector<std::string> &variables() const { return names_; }

  private:
    std::vector<std::string> literals_; // literals_[i] precedes variable i; one more than names_
    std::vector<std::string> names_;
};

} // namespace fastmcp::host
