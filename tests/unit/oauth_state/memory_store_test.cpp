// The in-memory StateStore against the shared contract, on a fake clock.
#include "store_contract.hpp"

#include <memory>

namespace {
using namespace fastmcp::oauth_proxy;

// A handle on a shared store, so open() gives "another connection" to one store.
class Handle final : public StateStore {
  public:
    explicit Handle(std::shared_ptr<StateStore> s) : s_(std::move(s)) {}
    void put(RecordKind k, std::string_view key, std::string_view v,
             std::chrono::milliseconds ttl) override {
        s_->put(k, key, v, ttl);
    }
    bool put_if_absent(RecordKind k, std::string_view key, std::string_view v,
                       std::chrono::milliseconds ttl) override {
        return s_->put_if_absent(k, key, v, ttl);
    }
    std::optional<std::string> get(RecordKind k, std::string_view key) override {
        return s_->get(k, key);
    }
    bool erase(RecordKind k, std::string_view key) override { return s_->erase(k, key); }
    std::optional<std::string> take(RecordKind k, std::string_view key) override {
        return s_->take(k, key);
    }
    bool rotate(RecordKind k, std::string_view key, std::string_view expected,
                const std::vector<Write> &writes) override {
        return s_->rotate(k, key, expected, writes);
    }
    std::size_t sweep_expired() override { return s_->sweep_expired(); }
    std::string describe() const override { return s_->describe(); }

  private:
    std::shared_ptr<StateStore> s_;
};

struct MemoryFixture {
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000);
    std::shared_ptr<StateStore> store = make_memory_store([n = now] { return n->load(); });
    std::chrono::milliseconds short_ttl{1000};
    std::size_t total_written_in_sweep_test = 21;

    std::unique_ptr<StateStore> open() { return std::make_unique<Handle>(store); }
    void advance(std::chrono::milliseconds d) { now->fetch_add(d.count()); }
    std::size_t stored_rows(std::size_t swept) { return total_written_in_sweep_test - swept; }
};

} // namespace

FASTMCP_STORE_CONTRACT(MemoryFixture, "memory store", doctest::skip(false))

TEST_CASE("memory store: expiry is exact on the injected clock") {
    std::int64_t now = 1000;
    auto s = make_memory_store([&] { return now; });
    s->put(RecordKind::csrf, "tok", "txn", std::chrono::milliseconds(500));
    now = 1499;
    CHECK(s->get(RecordKind::csrf, "tok") == "txn");
    now = 1500;
    CHECK_FALSE(s->get(RecordKind::csrf, "tok"));
}

TEST_CASE("memory store: kind names and reason codes are stable") {
    CHECK(kind_name(RecordKind::authorization_code) == "authorization_code");
    CHECK(kind_name(RecordKind::upstream_tokens) == "upstream_tokens");
    CHECK(encrypted_at_rest(RecordKind::upstream_tokens));
    CHECK(encrypted_at_rest(RecordKind::client));
    CHECK_FALSE(encrypted_at_rest(RecordKind::csrf));
    CHECK(reason_code(StoreError::Reason::cannot_decrypt) == "store_cannot_decrypt");
    CHECK(make_memory_store()->describe() == "memory");
}
