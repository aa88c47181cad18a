// The SQLite StateStore on a temp dir: the shared contract (each open() is a separate connection,
// as another process would have), file modes, restart, encryption at rest, sweeping, and two
// processes racing on one file.
#include "../../unit/oauth_state/store_contract.hpp"

#include "fastmcp/oauth_proxy/sqlite_store.hpp"
#include "fastmcp/oauth_proxy/store_factory.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {
using namespace fastmcp::oauth_proxy;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

MasterKey key_of(unsigned char fill) {
    MasterKey k{};
    k.fill(fill);
    return k;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "fastmcp-state-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string file_bytes(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

mode_t mode_of(const fs::path &p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

std::int64_t count_rows(const fs::path &db) {
    sqlite3 *h = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(h, "SELECT count(*) FROM records", -1, &st, nullptr);
    std::int64_t n = -1;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

struct SqliteFixture {
    TempDir dir;
    fs::path db = dir.path / "state" / "oauth_proxy.db";
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000);
    std::chrono::milliseconds short_ttl{1000};

    Clock clock() const {
        return [n = now] { return n->load(); };
    }
    std::unique_ptr<StateStore> open() {
        return make_sqlite_store(db.string(), key_of(7), clock());
    }
    void advance(std::chrono::milliseconds d) { now->fetch_add(d.count()); }
    std::size_t stored_rows(std::size_t) { return static_cast<std::size_t>(count_rows(db)); }
};

} // namespace

FASTMCP_STORE_CONTRACT(SqliteFixture, "sqlite store", doctest::skip(false))

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: directory 0700, file 0600, WAL") {
    auto s = open();
    s->put(RecordKind::client, "c", "v", 60s);
    CHECK(mode_of(db.parent_path()) == 0700);
    CHECK(mode_of(db) == 0600);
    CHECK(fs::exists(db.string() + "-wal"));
    CHECK(mode_of(db.string() + "-wal") == 0600);
    CHECK(s->describe() == "sqlite:" + db.string());
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: an existing world-readable file is tightened") {
    fs::create_directories(db.parent_path());
    { std::ofstream(db) << ""; }
    ::chmod(db.c_str(), 0644);
    open();
    CHECK(mode_of(db) == 0600);
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: a restart keeps records and their expiry") {
    {
        auto s = open();
        s->put(RecordKind::client, "client-1", R"({"client_secret":"s"})", 3600s);
        s->put(RecordKind::refresh_token, "rt-1", "rec", 10s);
    }
    auto s = open();
    CHECK(s->get(RecordKind::client, "client-1") == R"({"client_secret":"s"})");
    CHECK(s->get(RecordKind::refresh_token, "rt-1") == "rec");
    advance(11s);
    CHECK_FALSE(open()->get(RecordKind::refresh_token, "rt-1"));
    CHECK(open()->get(RecordKind::client, "client-1"));
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: no secret or key in clear in the file") {
    const std::string upstream = "gho_UpstreamAccessTokenSecret1234567890";
    const std::string client_secret = "client-secret-abcdefghijklmnop";
    const std::string code = "proxy-code-ZYXWVUTSRQPONMLK";
    const std::string refresh = "proxy-refresh-0123456789abcdef";
    {
        auto s = open();
        s->put(RecordKind::upstream_tokens, "u1", R"({"access_token":")" + upstream + "\"}", 60s);
        s->put(RecordKind::client, "client-9", R"({"client_secret":")" + client_secret + "\"}",
               60s);
        s->put(RecordKind::authorization_code, code, "grant", 60s);
        s->put(RecordKind::refresh_token, refresh, "rec", 60s);
        // Before the WAL is checkpointed the records live in -wal: check it too.
        const auto wal = file_bytes(db.string() + "-wal");
        CHECK(wal.size() > 0);
        for (const auto &secret : {upstream, client_secret, code, refresh, std::string("client-9")})
            CHECK(wal.find(secret) == std::string::npos);
    }
    const auto bytes = file_bytes(db) + file_bytes(db.string() + "-wal");
    for (const auto &secret : {upstream, client_secret, code, refresh})
        CHECK(bytes.find(secret) == std::string::npos);
    CHECK(open()->get(RecordKind::upstream_tokens, "u1")->find(upstream) != std::string::npos);
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: another key is a start-up error, data kept") {
    open()->put(RecordKind::upstream_tokens, "u1", "tok", 60s);
    try {
        make_sqlite_store(db.string(), key_of(8), clock());
        FAIL("opened with the wrong key");
    } catch (const StoreError &e) {
        CHECK(e.reason() == StoreError::Reason::cannot_decrypt);
        CHECK(std::string(e.what()).find("cannot decrypt") != std::string::npos);
    }
    CHECK(open()->get(RecordKind::upstream_tokens, "u1") == "tok");
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: an altered record fails closed, never absent") {
    open()->put(RecordKind::upstream_tokens, "u1", "tok", 60s);
    sqlite3 *h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(h, "SELECT key, value FROM records WHERE kind = 6", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    const std::string k(static_cast<const char *>(sqlite3_column_blob(st, 0)),
                        static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
    std::string v(static_cast<const char *>(sqlite3_column_blob(st, 1)),
                  static_cast<std::size_t>(sqlite3_column_bytes(st, 1)));
    sqlite3_finalize(st);
    v.back() = static_cast<char>(v.back() ^ 0x01); // one bit of the GCM tag
    sqlite3_prepare_v2(h, "UPDATE records SET value = ?1 WHERE kind = 6 AND key = ?2", -1, &st,
                       nullptr);
    sqlite3_bind_blob(st, 1, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, k.data(), static_cast<int>(k.size()), SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(h);
    try {
        open()->get(RecordKind::upstream_tokens, "u1");
        FAIL("an altered record was accepted");
    } catch (const StoreError &e) {
        CHECK(e.reason() == StoreError::Reason::cannot_decrypt);
    }
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: expired rows are swept on writes after a minute") {
    auto s = open();
    for (int i = 0; i < 50; ++i)
        s->put(RecordKind::csrf, "t" + std::to_string(i), "v", 1s);
    CHECK(count_rows(db) == 50);
    advance(61s);
    s->put(RecordKind::csrf, "fresh", "v", 60s); // a write after the interval sweeps
    CHECK(count_rows(db) == 1);
}

TEST_CASE_FIXTURE(SqliteFixture, "sqlite store: two processes take 40 codes, each code once") {
    constexpr int codes = 40;
    {
        auto s = open();
        for (int i = 0; i < codes; ++i)
            s->put(RecordKind::authorization_code, "code-" + std::to_string(i), "g", 60s);
    }
    int pipes[2][2];
    pid_t pids[2];
    for (int p = 0; p < 2; ++p) {
        REQUIRE(::pipe(pipes[p]) == 0);
        pids[p] = ::fork();
        REQUIRE(pids[p] >= 0);
        if (pids[p] == 0) {
            // Child: its own connection, races the sibling through every code.
            std::string won(codes, '0');
            try {
                auto s = make_sqlite_store(db.string(), key_of(7), clock());
                for (int i = 0; i < codes; ++i)
                    if (s->take(RecordKind::authorization_code, "code-" + std::to_string(i)))
                        won[i] = '1';
            } catch (...) {
                ::_exit(2);
            }
            (void)!::write(pipes[p][1], won.data(), won.size());
            ::_exit(0);
        }
        ::close(pipes[p][1]);
    }
    std::string won[2];
    for (int p = 0; p < 2; ++p) {
        char buf[codes];
        std::size_t got = 0;
        for (ssize_t n;
             got < sizeof buf && (n = ::read(pipes[p][0], buf + got, sizeof buf - got)) > 0;)
            got += static_cast<std::size_t>(n);
        won[p].assign(buf, got);
        ::close(pipes[p][0]);
        int st = 0;
        ::waitpid(pids[p], &st, 0);
        CHECK(WIFEXITED(st));
        CHECK(WEXITSTATUS(st) == 0);
    }
    REQUIRE(won[0].size() == codes);
    REQUIRE(won[1].size() == codes);
    int total = 0;
    for (int i = 0; i < codes; ++i) {
        CHECK(won[0][i] != won[1][i]); // exactly one of the two processes took it
        total += (won[0][i] == '1') + (won[1][i] == '1');
    }
    CHECK(total == codes);
}

TEST_CASE("sqlite store: the factory's default file lives under XDG_STATE_HOME/fastmcp") {
    TempDir dir;
    const char *old = std::getenv("XDG_STATE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_STATE_HOME", dir.path.c_str(), 1);
    CHECK(default_sqlite_path() == (dir.path / "fastmcp" / "oauth_proxy.db").string());
    StoreConfig cfg;
    cfg.jwt_signing_key = "a-jwt-signing-key";
    auto s = open_state_store(cfg);
    CHECK(s->describe() == "sqlite:" + (dir.path / "fastmcp" / "oauth_proxy.db").string());
    CHECK(mode_of(dir.path / "fastmcp") == 0700);
    CHECK(mode_of(dir.path / "fastmcp" / "oauth_proxy.db") == 0600);
    s.reset();
    // The same JWT_SIGNING_KEY derives the same key; another one cannot open the store.
    CHECK_NOTHROW(open_state_store(cfg));
    cfg.jwt_signing_key = "another-key";
    CHECK_THROWS_AS(open_state_store(cfg), StoreError);
    if (old)
        ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
    else
        ::unsetenv("XDG_STATE_HOME");
}
