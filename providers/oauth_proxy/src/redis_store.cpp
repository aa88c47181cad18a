// Redis StateStore over hiredis. A small pool of blocking connections (one thread per connection
// at a time), each with connect and command timeouts. A command that fails on a pooled
// connection (dropped by a Redis restart) is retried once on a fresh connection; then the store
// fails closed with StoreError(unavailable). Atomicity is Redis's: take = GETDEL, put_if_absent
// = SET NX, rotate = one Lua script (compare the stored bytes, delete, write the new records).
// Keys: "fastmcp:oauth:<kind>:<HMAC of the key>"; secret-bearing values sealed.
#include "fastmcp/oauth_proxy/redis_store.hpp"
#include "record_checks.hpp"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>
#include <hiredis/hiredis.h>

#include <condition_variable>
#include <mutex>
#include <vector>

namespace fastmcp::oauth_proxy {
namespace {

constexpr std::string_view key_prefix = "fastmcp:oauth:";
constexpr std::string_view check_key = "fastmcp:oauth:key_check";

// KEYS[1] = record to consume, ARGV[1] = its expected stored bytes;
// KEYS[i] (i >= 2) = records to write, ARGV[2i-2] = value, ARGV[2i-1] = TTL in ms.
constexpr std::string_view rotate_script = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2 * i - 2], 'PX', ARGV[2 * i - 1])
end
return 1
)lua";

using Context = std::unique_ptr<redisContext, decltype(&redisFree)>;
using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

class RedisStore final : public StateStore {
  public:
    RedisStore(RedisAddress address, const MasterKey &key, RedisOptions options)
        : address_(std::move(address)), options_(options), cipher_(key) {
        // Fail at start-up when Redis is down, and check the key against the store's record.
        const std::string check = cipher_.make_check_value();
        command({"SET", std::string(check_key), check, "NX"});
        auto stored = command({"GET", std::string(check_key)});
        if (stored->type != REDIS_REPLY_STRING)
            throw StoreError(StoreError::Reason::unavailable,
                             address_.display() + ": the key-check record vanished");
        cipher_.verify_check_value({stored->str, stored->len}, "at " + address_.display());
    }

    void put(RecordKind kind, std::string_view key, std::string_view value,
             std::chrono::milliseconds ttl) override {
        detail::check_record(kind, key, value, ttl);
        expect_ok(command({"SET", redis_key(kind, key), cipher_.encode_value(kind, key, value),
                           "PX", std::to_string(ttl.count())}));
    }

    bool put_if_absent(RecordKind kind, std::string_view key, std::string_view value,
                       std::chrono::milliseconds ttl) override {
        detail::check_record(kind, key, value, ttl);
        auto r = command({"SET", redis_key(kind, key), cipher_.encode_value(kind, key, value), "PX",
                          std::to_string(ttl.count()), "NX"});
        if (r->type == REDIS_REPLY_NIL) return false;
        expect_ok(std::move(r));
        return true;
    }

    std::optional<std::string> get(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        auto r = command({"GET", redis_key(kind, key)});
        auto raw = string_or_nil(*r);
        if (!raw) return std::nullopt;
        return cipher_.decode_value(kind, key, *raw);
    }

    bool erase(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        return integer(*command({"DEL", redis_key(kind, key)})) == 1;
    }

    std::optional<std::string> take(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        auto r = command({"GETDEL", redis_key(kind, key)});
        auto raw = string_or_nil(*r);
        if (!raw) return std::nullopt;
        return cipher_.decode_value(kind, key, *raw);
    }

    bool rotate(RecordKind kind, std::string_view key, std::string_view expected,
                const std::vector<Write> &writes) override {
        detail::check_key(kind, key);
        detail::check_writes(writes);
        const auto rk = redis_key(kind, key);
        // The stored bytes of the expected value (a sealed value has a random nonce, so the
        // plaintext cannot be compared inside Redis): read, open, compare, then CAS those bytes.
        auto current = string_or_nil(*command({"GET", rk}));
        if (!current || cipher_.decode_value(kind, key, *current) != expected) return false;
        std::vector<std::string> args{"EVAL", std::string(rotate_script),
                                      std::to_string(1 + writes.size()), rk};
        for (const auto &w : writes)
            args.push_back(redis_key(w.kind, w.key));
        args.push_back(*current);
        for (const auto &w : writes) {
            args.push_back(cipher_.encode_value(w.kind, w.key, w.value));
            args.push_back(std::to_string(w.ttl.count()));
        }
        return integer(*command(args)) == 1;
    }

    std::size_t sweep_expired() override { return 0; } // Redis expires keys itself

    std::string describe() const override { return address_.display(); }

  private:
    std::string redis_key(RecordKind kind, std::string_view key) const {
        std::string k(key_prefix);
        k += kind_name(kind);
        k += ':';
        k += cipher_.storage_key(kind, key);
        return k;
    }

    [[noreturn]] void unavailable(const std::string &what) const {
        throw StoreError(StoreError::Reason::unavailable,
                         "Redis at " + address_.display() + ": " + what);
    }

    static std::optional<std::string> string_or_nil(const redisReply &r) {
        if (r.type == REDIS_REPLY_NIL) return std::nullopt;
        if (r.type == REDIS_REPLY_STRING) return std::string(r.str, r.len);
        throw StoreError(StoreError::Reason::corrupt, "Redis: unexpected reply type");
    }
    static long long integer(const redisReply &r) {
        if (r.type != REDIS_REPLY_INTEGER)
            throw StoreError(StoreError::Reason::corrupt, "Redis: unexpected reply type");
        return r.integer;
    }
    static void expect_ok(Reply r) {
        if (r->type != REDIS_REPLY_STATUS)
            throw StoreError(StoreError::Reason::corrupt, "Redis: unexpected reply type");
    }

    Context connect() const {
        Context c(redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                          to_timeval(options_.connect_timeout)),
                  redisFree);
        if (!c) unavailable("out of memory");
        if (c->err) unavailable(std::string("cannot connect: ") + c->errstr);
        if (redisSetTimeout(c.get(), to_timeval(options_.command_timeout)) != REDIS_OK)
            unavailable("cannot set the command timeout");
        if (!address_.password.empty()) {
            std::vector<std::string> auth{"AUTH"};
            if (!address_.username.empty()) auth.push_back(address_.username);
            auth.push_back(address_.password);
            auto r = raw_command(c.get(), auth);
            if (!r) unavailable(std::string("AUTH: ") + c->errstr);
            if (r->type == REDIS_REPLY_ERROR) unavailable("authentication refused");
        }
        if (address_.db != 0) {
            auto r = raw_command(c.get(), {"SELECT", std::to_string(address_.db)});
            if (!r) unavailable(std::string("SELECT: ") + c->errstr);
            if (r->type == REDIS_REPLY_ERROR)
                unavailable("SELECT " + std::to_string(address_.db) + ": " +
                            std::string(r->str, r->len));
        }
        return c;
    }

    static Reply raw_command(redisContext *c, const std::vector<std::string> &args) {
        std::vector<const char *> argv;
        std::vector<size_t> lens;
        argv.reserve(args.size());
        lens.reserve(args.size());
        for (const auto &a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        return Reply(static_cast<redisReply *>(redisCommandArgv(c, static_cast<int>(args.size()),
                                                                argv.data(), lens.data())),
                     freeReplyObject);
    }

    // Borrows a connection, runs one command; a connection error drops that connection and is
    // retried once on a fresh one. A Redis error reply is StoreError(unavailable) with its text.
    Reply command(const std::vector<std::string> &args) {
        for (int attempt = 0;; ++attempt) {
            Context c = acquire();
            Reply r = raw_command(c.get(), args);
            if (!r) {
                const std::string err = c->errstr;
                release(nullptr);
                drop_idle(); // a dropped connection usually means Redis restarted: all are stale
                if (attempt == 0) continue;
                unavailable(err);
            }
            release(std::move(c));
            if (r->type == REDIS_REPLY_ERROR)
                unavailable(args[0] + " failed: " + std::string(r->str, r->len));
            return r;
        }
    }

    Context acquire() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.max_connections; });
        if (!idle_.empty()) {
            Context c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
        ++open_;
        lock.unlock();
        try {
            return connect();
        } catch (...) {
            release(nullptr);
            throw;
        }
    }

    // Returns a healthy connection to the pool; nullptr = the borrowed one was dropped.
    void release(Context c) {
        std::lock_guard lock(mu_);
        if (c)
            idle_.push_back(std::move(c));
        else
            --open_;
        cv_.notify_one();
    }
    void release(std::nullptr_t) { release(Context(nullptr, redisFree)); }

    void drop_idle() {
        std::lock_guard lock(mu_);
        open_ -= idle_.size();
        idle_.clear();
        cv_.notify_all();
    }

    RedisAddress address_;
    RedisOptions options_;
    RecordCipher cipher_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Context> idle_;
    std::size_t open_ = 0;
};

} // namespace

std::string RedisAddress::display() const {
    const bool v6 = host.find(':') != std::string::npos;
    return "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
           std::to_string(db);
}

RedisAddress parse_redis_url(const std::string &url) {
    const auto bad = [](const std::string &why) {
        return StoreError(StoreError::Reason::config,
                          "STORAGE: " + why +
                              " (expected redis://[[user]:password@]host[:port][/db])");
    };
    RedisAddress a;
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception &) {
        throw bad("not a valid URL");
    }
    if (uri.getScheme() != "redis") throw bad("not a redis:// URL");
    if (uri.getHost().empty()) throw bad("no host");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) throw bad("unexpected query");
    a.host = uri.getHost();
    a.port = uri.getPort() == 0 ? 6379 : uri.getPort();
    const auto &user_info = uri.getUserInfo();
    if (!user_info.empty()) {
        const auto colon = user_info.find(':');
        if (colon == std::string::npos) {
            a.password = user_info; // redis://password@host (as redis-py accepts)
        } else {
            a.username = user_info.substr(0, colon);
            a.password = user_info.substr(colon + 1);
        }
    }
    std::string path = uri.getPath();
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    if (!path.empty()) {
        unsigned db = 0;
        if (!Poco::NumberParser::tryParseUnsigned(path, db) || db > 15 * 1024)
            throw bad("database must be a number");
        a.db = static_cast<int>(db);
    }
    return a;
}

std::unique_ptr<StateStore> make_redis_store(const RedisAddress &address, const MasterKey &key,
                                             RedisOptions options) {
    return std::make_unique<RedisStore>(address, key, options);
}

} // namespace fastmcp::oauth_proxy
