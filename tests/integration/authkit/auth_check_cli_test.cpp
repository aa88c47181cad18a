// `fastmcp auth check` as a real binary: exit codes 0 / 1 / 2, the decoded header and claims,
// the reason, and never the raw token or its signature in the output.
#include "fastmcp/jose/signer.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using nlohmann::json;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;
};

std::string temp_path(const std::string &name) {
    return "/tmp/fastmcp-auth-check-" + std::to_string(::getpid()) + "-" + name;
}

Run run(const std::string &args) {
    const std::string out_file = temp_path("out.txt");
    // A clean environment: only what the test passes through the env file counts.
    const std::string cmd = "env -i PATH=/usr/bin:/bin " FASTMCP_BINARY_DIR "/bin/fastmcp auth check " + args +
                            " >" + out_file + " 2>&1";
    const int status = std::system(cmd.c_str());
    Run r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(out_file);
    std::stringstream ss;
    ss << in.rdbuf();
    r.out = ss.str();
    std::remove(out_file.c_str());
    return r;
}

std::string pem_of(EVP_PKEY *key) {
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char *data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
}

std::string escaped(const std::string &pem) {
    std::string out;
    for (char c : pem) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream(path) << text;
}

} // namespace

TEST_CASE("fastmcp auth check: valid, rejected, and configuration error") {
    auto key = fastmcp::jose::generate_key(fastmcp::jose::Alg::RS256);
    const std::string env_file = temp_path("env");
    write_file(env_file, "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.JWTVerifier\n"
                         "FASTMCP_SERVER_AUTH_JWT_PUBLIC_KEY=\"" + escaped(pem_of(key.get())) + "\"\n"
                         "FASTMCP_SERVER_AUTH_JWT_ISSUER=https://issuer.test\n"
                         "FASTMCP_SERVER_AUTH_JWT_AUDIENCE=my-mcp-server\n"
                         "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    json claims = {{"iss", "https://issuer.test"}, {"sub", "user_42"}, {"aud", "my-mcp-server"},
                   {"iat", now}, {"exp", now + 600}, {"scope", "read"}};
    const std::string good = fastmcp::jose::sign_compact({{"kid", "k1"}}, claims, fastmcp::jose::Alg::RS256, key.get());
    const std::string signature = good.substr(good.rfind('.') + 1);

    SUBCASE("valid: exit 0, decoded header and claims, signature elided") {
        auto r = run("--env-file " + env_file + " --token " + good);
        CAPTURE(r.out);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("verdict:   VALID") != std::string::npos);
        CHECK(r.out.find("\"kid\": \"k1\"") != std::string::npos);
        CHECK(r.out.find("\"sub\": \"user_42\"") != std::string::npos);
        CHECK(r.out.find("signature: (elided") != std::string::npos);
        CHECK(r.out.find(signature) == std::string::npos);
        CHECK(r.out.find(good) == std::string::npos);
    }
    SUBCASE("rejected from a file: exit 1, reason name and description") {
        claims["aud"] = "someone-else";
        const std::string bad = fastmcp::jose::sign_compact({{"kid", "k1"}}, claims, fastmcp::jose::Alg::RS256, key.get());
        const std::string token_file = temp_path("token");
        write_file(token_file, bad + "\n");
        auto r = run("--env-file " + env_file + " --token @" + token_file);
        std::remove(token_file.c_str());
        CAPTURE(r.out);
        CHECK(r.exit_code == 1);
        CHECK(r.out.find("wrong_audience") != std::string::npos);
        CHECK(r.out.find("not issued for this resource") != std::string::npos);
        CHECK(r.out.find(bad.substr(bad.rfind('.') + 1)) == std::string::npos);
    }
    SUBCASE("JSON output from stdin") {
        const std::string token_file = temp_path("stdin");
        write_file(token_file, good);
        auto r = run("--env-file " + env_file + " --json --token - <" + token_file);
        std::remove(token_file.c_str());
        CHECK(r.exit_code == 0);
        auto j = json::parse(r.out);
        CHECK(j["valid"] == true);
        CHECK(j["reason"] == "ok");
        CHECK(j["claims"]["sub"] == "user_42");
        CHECK(j["subject"] == "user_42");
        CHECK(r.out.find(signature) == std::string::npos);
    }
    SUBCASE("configuration error: exit 2") {
        const std::string broken = temp_path("broken-env");
        write_file(broken, "FASTMCP_SERVER_AUTH=fastmcp.server.auth.providers.jwt.JWTVerifier\n"
                           "FASTMCP_SERVER_AUTH_JWT_AUDIENCE=x\n"
                           "FASTMCP_PROVIDER_PATH=" FASTMCP_PROVIDER_DIR "\n");
        auto r = run("--env-file " + broken + " --token " + good);
        std::remove(broken.c_str());
        CHECK(r.exit_code == 2);
        CHECK(r.out.find("FASTMCP_SERVER_AUTH_JWT_JWKS_URI") != std::string::npos);
    }
    SUBCASE("usage error: exit 2") {
        CHECK(run("--env-file " + env_file).exit_code == 2);
        // A token file that does not exist or cannot be read is a usage error, not a verdict.
        const std::string missing = temp_path("no-such-file");
        CHECK(run("--env-file " + env_file + " --token @" + missing).exit_code == 2);
        CHECK(run("--env-file " + env_file + " --token @/").exit_code == 2);
    }
    SUBCASE("a 200 KB token is an invalid token, not a usage error: exit 1, token_too_large") {
        const std::string huge = good + std::string(200 * 1024, 'A');
        const std::string token_file = temp_path("huge");
        write_file(token_file, huge);
        auto r = run("--env-file " + env_file + " --token @" + token_file);
        CAPTURE(r.out.substr(0, 2000));
        CHECK(r.exit_code == 1);
        CHECK(r.out.find("verdict:   REJECTED") != std::string::npos);
        CHECK(r.out.find("token_too_large") != std::string::npos);
        CHECK(r.out.find(std::string(64, 'A')) == std::string::npos);
        r = run("--env-file " + env_file + " --json --token - <" + token_file);
        std::remove(token_file.c_str());
        CHECK(r.exit_code == 1);
        auto j = json::parse(r.out);
        CHECK(j["valid"] == false);
        CHECK(j["reason"] == "token_too_large");
        CHECK(r.out.find(std::string(64, 'A')) == std::string::npos);
    }
    std::remove(env_file.c_str());
}
