// The fake IdP's state: signing keys (published or not), the fault mode, and fetch counters.
// Shared by every connection thread, so every member function locks.
#pragma once

#include "fastmcp/jose/jwk.hpp"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fastmcp::fake_idp {

// What the IdP routes (metadata and JWKS) do. `down` is not a mode: it closes the listening socket.
enum class Fault { Healthy, Hang, Status500, Garbage, Huge, Unusable };

std::optional<Fault> parse_fault(const std::string &name);
const char *fault_name(Fault f);

// Which IdP routes a fault applies to.
enum class Target { All, Jwks, Metadata };
std::optional<Target> parse_target(const std::string &name);

struct MintRequest {
    std::optional<std::string> kid; // a known kid signs with that key; an unknown one makes an
                                    // unpublished key with that kid (valid signature, unknown key)
    std::string sub = "user_fake";
    int64_t exp_in = 3600;          // seconds from now; negative = already expired
    nlohmann::json aud;             // string or list; null = no aud claim
    std::optional<std::string> scope;
    std::optional<std::string> iss; // default: the IdP's issuer
    nlohmann::json extra = nlohmann::json::object(); // merged into the claims last
};

// RSA-2048 generation takes 0.1 s of CPU and seconds on a loaded machine: a worker keeps a few
// keys ready so that rotate and mint answer at once.
class KeyPool {
public:
    explicit KeyPool(size_t spares);
    ~KeyPool();
    KeyPool(const KeyPool &) = delete;
    KeyPool &operator=(const KeyPool &) = delete;
    jose::PkeyPtr take(); // waits when the worker is behind

private:
    void run();
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<jose::PkeyPtr> spare_;
    size_t target_;
    bool stop_ = false;
    std::thread worker_;
};

class IdpState {
public:
    IdpState();

    void set_issuer(std::string issuer);
    std::string issuer() const;

    // Fault mode.
    void set_fault(Fault f, Target t, bool huge_content_length);
    Fault fault_for(bool jwks_route) const;
    bool huge_content_length() const;
    // Blocks a `hang` request until the fault changes, `stop_hanging` is called or `max_ms` passes.
    void hang(int64_t max_ms);
    void stop_hanging();

    // Keys. rotate(): a new published key becomes the signing default; keep_previous=false
    // unpublishes every other key. Returns the new kid.
    std::string rotate(bool keep_previous);
    bool drop_kid(const std::string &kid);    // unpublish (the key can still sign tokens)
    bool publish_kid(const std::string &kid); // re-publish a known key
    std::string current_kid() const;
    std::vector<std::string> published_kids() const;

    // Returns {token, kid}; the token is signed RS256.
    std::pair<std::string, std::string> mint(const MintRequest &r);

    std::string jwks_document() const;          // the published keys
    std::string unusable_jwks_document() const; // every key unusable
    std::string metadata_document() const;

    // Counters of requests that reached the IdP routes (whatever the fault made of them).
    void count(bool jwks_route);
    nlohmann::json stats() const;

private:
    struct Key {
        std::string kid;
        jose::PkeyPtr pkey;
        bool published = false;
    };
    Key *find_locked(const std::string &kid);
    std::string new_kid_locked();

    KeyPool pool_{3};
    mutable std::mutex mu_;
    std::condition_variable fault_changed_;
    uint64_t fault_generation_ = 0;
    std::string issuer_;
    Fault fault_ = Fault::Healthy;
    Target target_ = Target::All;
    bool huge_content_length_ = false;
    std::vector<Key> keys_;
    std::string current_;
    unsigned generation_ = 0;
    mutable std::once_flag odd_keys_once_; // the unusable set's own keys, made on first use
    mutable jose::PkeyPtr tiny_rsa_;
    mutable jose::PkeyPtr ec_key_;
    uint64_t metadata_fetches_ = 0;
    uint64_t jwks_fetches_ = 0;
    uint64_t hanging_ = 0;
};

} // namespace fastmcp::fake_idp
