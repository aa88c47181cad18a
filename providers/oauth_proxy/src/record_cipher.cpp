// AES-256-GCM record sealing, HMAC key hiding and HKDF key derivation, all through OpenSSL EVP.
#include "fastmcp/oauth_proxy/record_cipher.hpp"

#include "fastmcp/jose/base64url.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

namespace fastmcp::oauth_proxy {
namespace {

constexpr unsigned char format_v1 = 0x01;
constexpr std::size_t nonce_len = 12;
constexpr std::size_t tag_len = 16;
constexpr std::string_view aad_label = "fastmcp-oauth-state/v1";
constexpr std::string_view check_plaintext = "fastmcp-oauth-state key check v1";

[[noreturn]] void internal(const char *what) {
    throw StoreError(StoreError::Reason::unavailable, std::string("OpenSSL: ") + what);
}

std::array<unsigned char, 32> hkdf(std::string_view ikm, std::string_view salt,
                                   std::string_view info) {
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                          EVP_KDF_free);
    if (!kdf) internal("HKDF unavailable");
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                  EVP_KDF_CTX_free);
    if (!ctx) internal("HKDF context");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_octet_string(
                               OSSL_KDF_PARAM_KEY, const_cast<char *>(ikm.data()), ikm.size()),
                           OSSL_PARAM_construct_octet_string(
                               OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()), salt.size()),
                           OSSL_PARAM_construct_octet_string(
                               OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()), info.size()),
                           OSSL_PARAM_construct_end()};
    std::array<unsigned char, 32> out{};
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) internal("HKDF derive");
    return out;
}

std::string aad(RecordKind kind, std::string_view key) {
    std::string a(aad_label);
    a.push_back(static_cast<char>(kind));
    a.append(key);
    return a;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

} // namespace

MasterKey parse_storage_encryption_key(std::string_view text) {
    const auto bad = [] {
        return StoreError(
            StoreError::Reason::config,
            "STORAGE_ENCRYPTION_KEY: must be exactly 32 bytes, written as 64 hex "
            "digits or as base64 (standard or url-safe); e.g. `openssl rand -hex 32`");
    };
    MasterKey key{};
    if (text.size() == 64 && std::all_of(text.begin(), text.end(),
                                         [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        long len = 0;
        std::unique_ptr<unsigned char, void (*)(unsigned char *)> buf(
            OPENSSL_hexstr2buf(std::string(text).c_str(), &len),
            [](unsigned char *p) { OPENSSL_clear_free(p, 32); });
        if (!buf || len != 32) throw bad();
        std::copy_n(buf.get(), 32, key.begin());
        return key;
    }
    // base64 in either alphabet: map to base64url, drop padding, decode strictly.
    std::string url(text);
    while (!url.empty() && url.back() == '=')
        url.pop_back();
    std::replace(url.begin(), url.end(), '+', '-');
    std::replace(url.begin(), url.end(), '/', '_');
    auto bytes = fastmcp::jose::base64url_decode(url);
    if (!bytes || bytes->size() != 32) {
        if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
        throw bad();
    }
    std::copy_n(bytes->begin(), 32, key.begin());
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return key;
}

MasterKey derive_storage_key(std::string_view jwt_signing_key) {
    if (jwt_signing_key.empty())
        throw StoreError(StoreError::Reason::config,
                         "storage encryption: set STORAGE_ENCRYPTION_KEY or JWT_SIGNING_KEY");
    return hkdf(jwt_signing_key, "fastmcp-oauth-proxy-storage",
                "storage encryption key from JWT_SIGNING_KEY");
}

RecordCipher::RecordCipher(const MasterKey &master) {
    const std::string_view m(reinterpret_cast<const char *>(master.data()), master.size());
    enc_key_ = hkdf(m, "", "fastmcp oauth state: AES-256-GCM v1");
    index_key_ = hkdf(m, "", "fastmcp oauth state: key index v1");
}

RecordCipher::~RecordCipher() {
    OPENSSL_cleanse(enc_key_.data(), enc_key_.size());
    OPENSSL_cleanse(index_key_.data(), index_key_.size());
}

std::string RecordCipher::seal(RecordKind kind, std::string_view key,
                               std::string_view plaintext) const {
    std::string out(1 + nonce_len + plaintext.size() + tag_len, '\0');
    auto *p = reinterpret_cast<unsigned char *>(out.data());
    p[0] = format_v1;
    unsigned char *nonce = p + 1;
    if (RAND_bytes(nonce, nonce_len) != 1) internal("RAND_bytes");
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    const auto a = aad(kind, key);
    int len = 0;
    if (!ctx ||
        EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), enc_key_.data(), nonce, nullptr) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char *>(a.data()),
                          static_cast<int>(a.size())) != 1)
        internal("AES-GCM init");
    unsigned char *ct = nonce + nonce_len;
    if (!plaintext.empty() &&
        EVP_EncryptUpdate(ctx.get(), ct, &len,
                          reinterpret_cast<const unsigned char *>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1)
        internal("AES-GCM encrypt");
    if (EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_len, ct + plaintext.size()) != 1)
        internal("AES-GCM final");
    return out;
}

std::string RecordCipher::open(RecordKind kind, std::string_view key,
                               std::string_view sealed) const {
    const auto fail = [&] {
        return StoreError(StoreError::Reason::cannot_decrypt,
                          std::string("cannot decrypt a stored ") + std::string(kind_name(kind)) +
                              " record: written with another STORAGE_ENCRYPTION_KEY / "
                              "JWT_SIGNING_KEY, or altered");
    };
    if (sealed.size() < 1 + nonce_len + tag_len ||
        static_cast<unsigned char>(sealed[0]) != format_v1)
        throw fail();
    const auto *p = reinterpret_cast<const unsigned char *>(sealed.data());
    const unsigned char *nonce = p + 1;
    const unsigned char *ct = nonce + nonce_len;
    const std::size_t ct_len = sealed.size() - 1 - nonce_len - tag_len;
    std::string out(ct_len, '\0');
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    const auto a = aad(kind, key);
    int len = 0;
    if (!ctx ||
        EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), enc_key_.data(), nonce, nullptr) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char *>(a.data()),
                          static_cast<int>(a.size())) != 1)
        internal("AES-GCM init");
    if (ct_len > 0 && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out.data()),
                                        &len, ct, static_cast<int>(ct_len)) != 1)
        throw fail();
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_len,
                            const_cast<unsigned char *>(ct + ct_len)) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + ct_len,
                            &len) != 1) {
        OPENSSL_cleanse(out.data(), out.size());
        throw fail();
    }
    return out;
}

std::string RecordCipher::storage_key(RecordKind kind, std::string_view key) const {
    std::string msg;
    msg.push_back(static_cast<char>(kind));
    msg.append(key);
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t mac_len = 0;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, nullptr, params, index_key_.data(), index_key_.size(),
                  reinterpret_cast<const unsigned char *>(msg.data()), msg.size(), mac, sizeof mac,
                  &mac_len) == nullptr)
        internal("HMAC");
    return fastmcp::jose::base64url_encode({reinterpret_cast<const char *>(mac), mac_len});
}

std::string RecordCipher::encode_value(RecordKind kind, std::string_view key,
                                       std::string_view value) const {
    return encrypted_at_rest(kind) ? seal(kind, key, value) : std::string(value);
}

std::string RecordCipher::decode_value(RecordKind kind, std::string_view key,
                                       std::string_view stored) const {
    return encrypted_at_rest(kind) ? open(kind, key, stored) : std::string(stored);
}

std::string RecordCipher::make_check_value() const {
    return seal(RecordKind::client, "fastmcp:key-check", check_plaintext);
}

void RecordCipher::verify_check_value(std::string_view stored, const std::string &where) const {
    bool ok = false;
    try {
        ok = open(RecordKind::client, "fastmcp:key-check", stored) == check_plaintext;
    } catch (const StoreError &) {
        ok = false;
    }
    if (!ok)
        throw StoreError(StoreError::Reason::cannot_decrypt,
                         "cannot decrypt the OAuth proxy store " + where +
                             ": it was written with another STORAGE_ENCRYPTION_KEY (or "
                             "JWT_SIGNING_KEY); restore that key, or point STORAGE elsewhere");
}

} // namespace fastmcp::oauth_proxy
