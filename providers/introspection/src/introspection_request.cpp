#include "fastmcp/introspection/introspection_request.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace fastmcp::introspection {

std::string form_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (unsigned char c : value) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    return out;
}

std::string basic_authorization(std::string_view client_id, std::string_view client_secret) {
    const std::string plain = form_encode(client_id) + ":" + form_encode(client_secret);
    std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(encoded.data()),
                                  reinterpret_cast<const unsigned char *>(plain.data()),
                                  static_cast<int>(plain.size()));
    if (n < 0) throw std::runtime_error("base64 encoding failed");
    encoded.resize(static_cast<size_t>(n));
    return "Basic " + encoded;
}

plugin::HttpRequest build_request(const RequestTemplate &t, std::string_view token) {
    plugin::HttpRequest r;
    r.method = "POST";
    r.url = t.url;
    r.headers = {{"Authorization", t.authorization},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
    r.body = "token=" + form_encode(token) + "&token_type_hint=access_token";
    r.timeout_ms = t.timeout_ms;
    r.max_response_bytes = t.max_response_bytes;
    return r;
}

} // namespace fastmcp::introspection
