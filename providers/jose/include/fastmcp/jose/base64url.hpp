// Strict base64url (RFC 7515 §2): no padding, alphabet [A-Za-z0-9_-] only, canonical trailing bits.
// Validation is ours; the decoding itself is OpenSSL's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fastmcp::jose {

// nullopt when `in` is not strict, canonical, unpadded base64url.
std::optional<std::string> base64url_decode(std::string_view in);
// Same, into `out` (its capacity is reused: the verify path decodes without fresh allocations).
// False, with `out` unspecified, when `in` is not strict.
bool base64url_decode_into(std::string_view in, std::string &out);
// True when `in` is strict, canonical, unpadded base64url (no decoding).
bool is_base64url(std::string_view in);
std::string base64url_encode(std::string_view bytes);

} // namespace fastmcp::jose
