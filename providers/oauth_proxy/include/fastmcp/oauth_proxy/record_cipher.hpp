#pragma once
// Encryption at rest for the persistent StateStore backends.
//  - seal/open: AES-256-GCM (OpenSSL EVP), a random 96-bit nonce per value, the record's kind and
//    logical key as AAD (a value moved to another key or kind does not open).
//    Sealed format: 0x01 | nonce(12) | ciphertext | tag(16).
//  - storage_key: HMAC-SHA256 of kind+key, so the stored keys (codes, refresh tokens) are not the
//    credentials themselves: reading the file or the Redis keys yields nothing usable.
// Both sub-keys come from one 32-byte master key through HKDF-SHA256 with distinct labels.
#include "fastmcp/oauth_proxy/state_store.hpp"

#include <array>
#include <string>
#include <string_view>

namespace fastmcp::oauth_proxy {

using MasterKey = std::array<unsigned char, 32>;

// STORAGE_ENCRYPTION_KEY: exactly 32 bytes written as 64 hex digits, or base64 (standard or
// url-safe, padded or not). Throws StoreError(config) naming the accepted forms, never the value.
MasterKey parse_storage_encryption_key(std::string_view text);

// HKDF-SHA256 over JWT_SIGNING_KEY (any length > 0), salt and label fixed to this use.
MasterKey derive_storage_key(std::string_view jwt_signing_key);

class RecordCipher {
  public:
    explicit RecordCipher(const MasterKey &master);
    ~RecordCipher();
    RecordCipher(const RecordCipher &) = delete;
    RecordCipher &operator=(const RecordCipher &) = delete;

    std::string seal(RecordKind kind, std::string_view key, std::string_view plaintext) const;
    // Throws StoreError(cannot_decrypt) when the value was sealed with another key, for another
    // kind/key, or altered.
    std::string open(RecordKind kind, std::string_view key, std::string_view sealed) const;

    // 43-char base64url HMAC-SHA256(index key, kind || key): the key the backends store.
    std::string storage_key(RecordKind kind, std::string_view key) const;

    // seal/open of values per encrypted_at_rest(kind); other kinds pass through.
    std::string encode_value(RecordKind kind, std::string_view key, std::string_view value) const;
    std::string decode_value(RecordKind kind, std::string_view key, std::string_view stored) const;

    // The check record: a sealed known value; verify_check_value throws cannot_decrypt on a
    // store written with another key.
    std::string make_check_value() const;
    void verify_check_value(std::string_view stored, const std::string &where) const;

  private:
    std::array<unsigned char, 32> enc_key_{};
    std::array<unsigned char, 32> index_key_{};
};

} // namespace fastmcp::oauth_proxy
