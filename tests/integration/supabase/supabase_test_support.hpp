// Shared by the supabase and backends integration tests: start the emulator and the Supabase
// stand-in on OS-picked ports, mint tokens through their admin hooks, call MCP tools, hash.
#pragma once

#include "../emulator/child_process.hpp"
#include "../host/fastmcp_process.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace supabase_test {

using nlohmann::json;

inline std::string bin(const std::string &name) { return std::string(FASTMCP_BINARY_DIR) + "/bin/" + name; }

// A binary that prints "... listening on http://127.0.0.1:P" once it serves.
struct Service {
    std::unique_ptr<fastmcp::testing::ChildProcess> process;
    int port = 0;
    std::string url;

    Service(const std::vector<std::string> &argv) {
        process = std::make_unique<fastmcp::testing::ChildProcess>(argv);
        const std::string line = process->wait_for_line("listening on http://127.0.0.1:");
        port = fastmcp::testing::port_from_line(line);
        if (!port) throw std::runtime_error(argv[0] + " printed no readiness line");
        url = "http://127.0.0.1:" + std::to_string(port);
    }
};

inline Service start_emulator() { return Service({bin("fastmcp-authkit-emulator"), "--port", "0"}); }

inline Service start_standin(const std::string &anon_key, const std::string &third_party_issuer,
                             long clock_skew_s = 0) {
    std::vector<std::string> argv = {bin("fastmcp-supabase-standin"), "--port", "0", "--anon-key", anon_key};
    if (!third_party_issuer.empty()) argv.insert(argv.end(), {"--third-party-issuer", third_party_issuer});
    if (clock_skew_s) argv.insert(argv.end(), {"--clock-skew-seconds", std::to_string(clock_skew_s)});
    return Service(argv);
}

// POST /__admin/mint on the emulator or the stand-in; the access token.
inline std::string mint(int port, const json &request) {
    auto r = host_test::post(port, request.dump(), {}, "/__admin/mint");
    if (r.status != 200) throw std::runtime_error("mint failed: HTTP " + std::to_string(r.status) + " " + r.body);
    return json::parse(r.body).at("access_token").get<std::string>();
}

inline host_test::Response call_tool(int port, const std::string &token, const std::string &name,
                                     const json &arguments = json::object()) {
    const json request = {{"jsonrpc", "2.0"},
                          {"id", 1},
                          {"method", "tools/call"},
                          {"params", {{"name", name}, {"arguments", arguments}}}};
    return host_test::post(port, request.dump(), {"Authorization: Bearer " + token});
}

inline std::string sha256_hex(const std::string &data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    std::string out;
    char hex[3];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(hex, sizeof hex, "%02x", md[i]);
        out += hex;
    }
    return out;
}

// A temporary directory removed with its files.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/fastmcp-supabase-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        for (const auto &f : files_) std::remove(f.c_str());
        ::rmdir(path_.c_str());
    }
    std::string write(const std::string &name, const std::string &text) {
        const std::string file = path_ + "/" + name;
        std::ofstream(file) << text;
        files_.push_back(file);
        return file;
    }

private:
    std::string path_;
    std::vector<std::string> files_;
};

} // namespace supabase_test
