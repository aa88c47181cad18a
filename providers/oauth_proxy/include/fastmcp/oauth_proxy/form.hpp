// application/x-www-form-urlencoded: OAuth request parameters (query strings, token and consent
// form bodies) in, redirect query strings out. Percent-coding is Poco's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastmcp::oauth_proxy {

// Parsed parameters. OAuth forbids repeating a parameter (RFC 6749 §3.1): parse() fails then.
class Form {
public:
    // nullopt (and `error` naming the parameter) on a repeated name or a bad percent-escape.
    static std::optional<Form> parse(std::string_view encoded, std::string &error);

    // The value, or empty when absent.
    const std::string &get(const std::string &name) const;
    bool has(const std::string &name) const { return values_.count(name) != 0; }

private:
    std::map<std::string, std::string> values_;
};

// "a=1&b=x%20y" from pairs, in order; empty values are skipped.
std::string encode_form(const std::vector<std::pair<std::string, std::string>> &pairs);

// `url` with the pairs appended as query parameters ('?' or '&' as the URL needs).
std::string append_query(std::string url, const std::vector<std::pair<std::string, std::string>> &pairs);

} // namespace fastmcp::oauth_proxy
