// SQLite StateStore. One connection per store object behind a mutex (threads), WAL and a busy
// timeout (processes). take is one `DELETE ... RETURNING` statement; rotate and put_if_absent run
// under BEGIN IMMEDIATE, which takes the file's write lock first, so of N callers on one file
// (any number of processes) exactly one sees the expected value. Keys are stored as HMACs and
// secret-bearing values sealed (record_cipher.hpp). Expired rows are filtered by every query and
// deleted by a sweep at open and then at most once a minute of clock time on writes.
#include "fastmcp/oauth_proxy/sqlite_store.hpp"
#include "record_checks.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace fastmcp::oauth_proxy {
namespace {

constexpr std::int64_t sweep_interval_ms = 60'000;
constexpr int busy_timeout_ms = 5'000;

class Statement {
  public:
    Statement(sqlite3 *db, const char *sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw StoreError(StoreError::Reason::unavailable,
                             std::string("SQLite prepare: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        return *this;
    }
    Statement &bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Statement &bind(int i, std::string_view v) {
        sqlite3_bind_blob64(stmt_, i, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT);
        return *this;
    }
    int parameter_count() const { return sqlite3_bind_parameter_count(stmt_); }
    // true when a row is available, false when done.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        const std::string msg = sqlite3_errmsg(db_);
        sqlite3_reset(stmt_);
        throw StoreError(StoreError::Reason::unavailable, "SQLite: " + msg);
    }
    void run() {
        while (step()) {
        }
        sqlite3_reset(stmt_);
    }
    std::string column_blob(int i) {
        const auto *p = static_cast<const char *>(sqlite3_column_blob(stmt_, i));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
                 : std::string();
    }

  private:
    sqlite3 *db_;
    sqlite3_stmt *stmt_ = nullptr;
};

void exec(sqlite3 *db, const char *sql) {
    char *err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db);
        sqlite3_free(err);
        throw StoreError(StoreError::Reason::unavailable, "SQLite: " + msg);
    }
}

void make_private_dirs(const std::filesystem::path &dir) {
    if (dir.empty()) return;
    std::error_code ec;
    if (std::filesystem::exists(dir, ec)) return;
    make_private_dirs(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw StoreError(StoreError::Reason::unavailable,
                         "cannot create " + dir.string() + ": " + std::strerror(errno));
}

// Creates the file 0600 before SQLite opens it (SQLite gives -wal/-shm the same mode).
void create_private_file(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw StoreError(StoreError::Reason::unavailable,
                         "cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && (st.st_mode & 0077) != 0 && st.st_uid == ::geteuid())
        ::fchmod(fd, 0600);
    ::close(fd);
}

class SqliteStore final : public StateStore {
  public:
    SqliteStore(const std::string &path, const MasterKey &key, Clock clock)
        : path_(path), cipher_(key), clock_(std::move(clock)) {
        make_private_dirs(std::filesystem::path(path).parent_path());
        create_private_file(path);
        if (sqlite3_open_v2(path.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw StoreError(StoreError::Reason::unavailable, "SQLite open " + path + ": " + msg);
        }
        try {
            sqlite3_busy_timeout(db_, busy_timeout_ms);
            exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            exec(db_, "BEGIN IMMEDIATE;"
                      "CREATE TABLE IF NOT EXISTS records(kind INTEGER NOT NULL, key BLOB NOT NULL,"
                      " value BLOB NOT NULL, expires_at INTEGER NOT NULL,"
                      " PRIMARY KEY(kind, key)) WITHOUT ROWID;"
                      "CREATE INDEX IF NOT EXISTS records_expiry ON records(expires_at);"
                      "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value BLOB NOT NULL);"
                      "COMMIT;");
            check_key_locked();
            prepare();
            sweep_locked(clock_());
        } catch (...) {
            stmts_.reset();
            sqlite3_close(db_);
            throw;
        }
    }

    ~SqliteStore() override {
        stmts_.reset();
        sqlite3_close(db_);
    }

    void put(RecordKind kind, std::string_view key, std::string_view value,
             std::chrono::milliseconds ttl) override {
        write_record(stmts_->upsert, kind, key, value, ttl);
    }

    bool put_if_absent(RecordKind kind, std::string_view key, std::string_view value,
                       std::chrono::milliseconds ttl) override {
        // One statement: inserts, or replaces a row that has expired; otherwise changes nothing.
        return write_record(stmts_->insert_if_absent, kind, key, value, ttl) == 1;
    }

    std::optional<std::string> get(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        const auto sk = cipher_.storage_key(kind, key);
        std::optional<std::string> raw;
        {
            std::lock_guard lock(mu_);
            auto &q = stmts_->select.reset()
                          .bind(1, static_cast<std::int64_t>(kind))
                          .bind(2, sk)
                          .bind(3, clock_());
            if (q.step()) raw = q.column_blob(0);
            q.reset();
        }
        if (!raw) return std::nullopt;
        return cipher_.decode_value(kind, key, *raw);
    }

    bool erase(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        const auto sk = cipher_.storage_key(kind, key);
        std::lock_guard lock(mu_);
        stmts_->erase.reset()
            .bind(1, static_cast<std::int64_t>(kind))
            .bind(2, sk)
            .bind(3, clock_())
            .run();
        return sqlite3_changes(db_) == 1;
    }

    std::optional<std::string> take(RecordKind kind, std::string_view key) override {
        detail::check_key(kind, key);
        const auto sk = cipher_.storage_key(kind, key);
        std::optional<std::string> raw;
        {
            std::lock_guard lock(mu_);
            auto &q = stmts_->take.reset()
                          .bind(1, static_cast<std::int64_t>(kind))
                          .bind(2, sk)
                          .bind(3, clock_());
            if (q.step()) raw = q.column_blob(0);
            q.run();
        }
        if (!raw) return std::nullopt;
        return cipher_.decode_value(kind, key, *raw);
    }

    bool rotate(RecordKind kind, std::string_view key, std::string_view expected,
                const std::vector<Write> &writes) override {
        detail::check_key(kind, key);
        detail::check_writes(writes);
        const auto sk = cipher_.storage_key(kind, key);
        struct Prepared {
            std::int64_t kind;
            std::string key;
            std::string value;
            std::int64_t ttl;
        };
        std::vector<Prepared> rows;
        rows.reserve(writes.size());
        for (const auto &w : writes)
            rows.push_back({static_cast<std::int64_t>(w.kind), cipher_.storage_key(w.kind, w.key),
                            cipher_.encode_value(w.kind, w.key, w.value), w.ttl.count()});
        std::lock_guard lock(mu_);
        Transaction txn(*this);
        const auto now = clock_();
        std::optional<std::string> raw;
        {
            auto &q = stmts_->select.reset()
                          .bind(1, static_cast<std::int64_t>(kind))
                          .bind(2, sk)
                          .bind(3, now);
            if (q.step()) raw = q.column_blob(0);
            q.reset();
        }
        if (!raw || cipher_.decode_value(kind, key, *raw) != expected) return false;
        stmts_->erase.reset()
            .bind(1, static_cast<std::int64_t>(kind))
            .bind(2, sk)
            .bind(3, now)
            .run();
        for (const auto &r : rows)
            stmts_->upsert.reset()
                .bind(1, r.kind)
                .bind(2, r.key)
                .bind(3, r.value)
                .bind(4, now + r.ttl)
                .run();
        txn.commit();
        return true;
    }

    std::size_t sweep_expired() override {
        std::lock_guard lock(mu_);
        return sweep_locked(clock_());
    }

    std::string describe() const override { return "sqlite:" + path_; }

  private:
    struct Statements {
        explicit Statements(sqlite3 *db)
            : upsert(db, "INSERT OR REPLACE INTO records(kind, key, value, expires_at) "
                         "VALUES(?1, ?2, ?3, ?4)"),
              insert_if_absent(db, "INSERT INTO records(kind, key, value, expires_at) "
                                   "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(kind, key) DO UPDATE SET "
                                   "value = excluded.value, expires_at = excluded.expires_at "
                                   "WHERE records.expires_at <= ?5"),
              select(db, "SELECT value FROM records WHERE kind = ?1 AND key = ?2 AND "
                         "expires_at > ?3"),
              erase(db, "DELETE FROM records WHERE kind = ?1 AND key = ?2 AND expires_at > ?3"),
              take(db, "DELETE FROM records WHERE kind = ?1 AND key = ?2 AND expires_at > ?3 "
                       "RETURNING value"),
              sweep(db, "DELETE FROM records WHERE expires_at <= ?1") {}
        Statement upsert, insert_if_absent, select, erase, take, sweep;
    };

    // BEGIN IMMEDIATE ... COMMIT, rolled back unless committed (an exception or a lost CAS).
    class Transaction {
      public:
        explicit Transaction(SqliteStore &s) : s_(s) { exec(s_.db_, "BEGIN IMMEDIATE"); }
        void commit() {
            exec(s_.db_, "COMMIT");
            done_ = true;
        }
        ~Transaction() {
            if (!done_) sqlite3_exec(s_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
        }

      private:
        SqliteStore &s_;
        bool done_ = false;
    };

    // Runs an insert statement (?1 kind, ?2 key, ?3 value, ?4 expiry[, ?5 now]); rows changed.
    int write_record(Statement &stmt, RecordKind kind, std::string_view key, std::string_view value,
                     std::chrono::milliseconds ttl) {
        detail::check_record(kind, key, value, ttl);
        const auto sk = cipher_.storage_key(kind, key);
        const auto stored = cipher_.encode_value(kind, key, value);
        std::lock_guard lock(mu_);
        const auto now = clock_();
        stmt.reset()
            .bind(1, static_cast<std::int64_t>(kind))
            .bind(2, sk)
            .bind(3, stored)
            .bind(4, now + ttl.count());
        if (stmt.parameter_count() >= 5) stmt.bind(5, now);
        stmt.run();
        const int changed = sqlite3_changes(db_);
        maybe_sweep_locked(now);
        return changed;
    }

    void prepare() { stmts_ = std::make_unique<Statements>(db_); }

    void check_key_locked() {
        Transaction txn(*this);
        Statement q(db_, "SELECT value FROM meta WHERE name = 'key_check'");
        if (q.step()) {
            const auto stored = q.column_blob(0);
            q.reset();
            cipher_.verify_check_value(stored, path_);
            return; // rolled back: nothing written
        }
        q.reset();
        Statement ins(db_, "INSERT INTO meta(name, value) VALUES('key_check', ?1)");
        ins.bind(1, cipher_.make_check_value()).run();
        txn.commit();
    }

    void maybe_sweep_locked(std::int64_t now) {
        if (now - last_sweep_ms_ >= sweep_interval_ms) sweep_locked(now);
    }

    std::size_t sweep_locked(std::int64_t now) {
        last_sweep_ms_ = now;
        stmts_->sweep.reset().bind(1, now).run();
        return static_cast<std::size_t>(sqlite3_changes(db_));
    }

    std::string path_;
    RecordCipher cipher_;
    Clock clock_;
    std::mutex mu_;
    sqlite3 *db_ = nullptr;
    std::unique_ptr<Statements> stmts_;
    std::int64_t last_sweep_ms_ = 0;
};

} // namespace

std::string default_sqlite_path() {
    const char *xdg = std::getenv("XDG_STATE_HOME");
    std::filesystem::path base;
    if (xdg && *xdg && xdg[0] == '/') {
        base = xdg;
    } else {
        const char *home = std::getenv("HOME");
        if (!home || !*home)
            throw StoreError(StoreError::Reason::config,
                             "STORAGE: neither XDG_STATE_HOME nor HOME is set; use "
                             "STORAGE=sqlite:///absolute/path");
        base = std::filesystem::path(home) / ".local" / "state";
    }
    return (base / "fastmcp" / "oauth_proxy.db").string();
}

std::unique_ptr<StateStore> make_sqlite_store(const std::string &path, const MasterKey &key,
                                              Clock clock) {
    return std::make_unique<SqliteStore>(path, key, std::move(clock));
}

} // namespace fastmcp::oauth_proxy
