// Variable lookup: process env wins over .env; FASTMCP_ENV_FILE / --env-file; missing files.
#include "fastmcp/env/environment.hpp"
#include "fastmcp/env/error.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using fastmcp::env::EnvError;
using fastmcp::env::Environment;

namespace {
namespace fs = std::filesystem;

// A scratch directory, made the working directory for the test (for the ./.env default).
struct Scratch {
    fs::path dir;
    fs::path old_cwd = fs::current_path();
    Scratch() {
        char tmpl[] = "/tmp/fastmcp-env-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        fs::current_path(dir);
    }
    ~Scratch() {
        fs::current_path(old_cwd);
        fs::remove_all(dir);
    }
    std::string write(const std::string &name, const std::string &text) {
        std::ofstream(dir / name, std::ios::binary) << text;
        return (dir / name).string();
    }
};

struct Block {
    std::vector<std::string> storage;
    std::vector<const char *> ptrs;
    explicit Block(std::vector<std::string> vars) : storage(std::move(vars)) {
        for (auto &s : storage) ptrs.push_back(s.c_str());
        ptrs.push_back(nullptr);
    }
    const char *const *get() const { return ptrs.data(); }
};

std::string load_error(const Block &b, std::optional<std::string> file = std::nullopt) {
    try {
        Environment::load(b.get(), file);
    } catch (const EnvError &e) {
        return e.what();
    }
    FAIL("expected EnvError");
    return {};
}
} // namespace

TEST_CASE("default ./.env is read when present") {
    Scratch s;
    s.write(".env", "A=from-file\n");
    Block b({"PATH=/bin"});
    Environment env = Environment::load(b.get());
    auto a = env.get("A");
    REQUIRE(a);
    CHECK(a->value == "from-file");
    CHECK(a->source() == ".env:1");
    CHECK(a->label() == ".env:1: A");
    REQUIRE(env.file());
    CHECK(env.file()->path == ".env");
}

TEST_CASE("a missing default ./.env is fine") {
    Scratch s;
    Block b({"A=1"});
    Environment env = Environment::load(b.get());
    CHECK_FALSE(env.file());
    CHECK(env.get("A")->value == "1");
    CHECK(env.get("A")->source() == "env");
    CHECK(env.get("A")->label() == "A");
    CHECK_FALSE(env.get("B"));
}

TEST_CASE("process environment wins over .env") {
    Scratch s;
    s.write(".env", "A=file\nB=file-only\n");
    Block b({"A=process"});
    Environment env = Environment::load(b.get());
    CHECK(env.get("A")->value == "process");
    CHECK(env.get("A")->source() == "env");
    CHECK(env.get("B")->value == "file-only");
    CHECK(env.get("B")->source() == ".env:2");
}

TEST_CASE("an empty process value still wins over .env") {
    Scratch s;
    s.write(".env", "A=file\n");
    Block b({"A="});
    CHECK(Environment::load(b.get()).get("A")->value == "");
}

TEST_CASE("names are case-sensitive") {
    Scratch s;
    s.write(".env", "token=lower\n");
    Block b({"TOKEN=upper"});
    Environment env = Environment::load(b.get());
    CHECK(env.get("token")->value == "lower");
    CHECK(env.get("TOKEN")->value == "upper");
    CHECK_FALSE(env.get("Token"));
}

TEST_CASE("FASTMCP_ENV_FILE names the file; the default is then not read") {
    Scratch s;
    s.write(".env", "A=default\n");
    std::string other = s.write("other.env", "\n\nA=other\n");
    Block b({"FASTMCP_ENV_FILE=" + other});
    Environment env = Environment::load(b.get());
    CHECK(env.get("A")->value == "other");
    CHECK(env.get("A")->source() == other + ":3");
}

TEST_CASE("a missing named file is an error") {
    Scratch s;
    CHECK(load_error(Block({"FASTMCP_ENV_FILE=/no/such.env"})) ==
          "FASTMCP_ENV_FILE: .env file not found: /no/such.env");
    CHECK(load_error(Block({}), std::string("missing.env")) == "--env-file: .env file not found: missing.env");
    CHECK(load_error(Block({"FASTMCP_ENV_FILE="})).find("FASTMCP_ENV_FILE: is set but empty") == 0);
}

TEST_CASE("--env-file overrides FASTMCP_ENV_FILE") {
    Scratch s;
    std::string a = s.write("a.env", "X=a\n");
    std::string b = s.write("b.env", "X=b\n");
    Block blk({"FASTMCP_ENV_FILE=" + a});
    CHECK(Environment::load(blk.get(), b).get("X")->value == "b");
}

TEST_CASE("a malformed default file is an error (never skipped)") {
    Scratch s;
    s.write(".env", "A=1\noops\n");
    CHECK(load_error(Block({})) == ".env:2: expected NAME=value, found 'oops'");
}

TEST_CASE("with_prefix merges file and process, process winning") {
    Scratch s;
    s.write(".env", "P_A=file\nP_B=file\nQ_C=x\n");
    Block b({"P_A=proc", "P_Z=proc"});
    auto vars = Environment::load(b.get()).with_prefix("P_");
    REQUIRE(vars.size() == 3);
    CHECK(vars[0].name == "P_A");
    CHECK(vars[0].value == "proc");
    CHECK(vars[1].name == "P_B");
    CHECK(vars[1].source() == ".env:2");
    CHECK(vars[2].name == "P_Z");
}

TEST_CASE("the first definition in environ wins, as getenv does") {
    Block b({"A=1", "A=2"});
    Scratch s;
    CHECK(Environment::load(b.get()).get("A")->value == "1");
}
