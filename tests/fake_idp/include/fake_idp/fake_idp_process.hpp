// Test support: start `fastmcp-fake-idp` on OS-picked ports and drive its admin API.
//   fake_idp::Process idp;                       // waits for the readiness line
//   std::string t = idp.mint({{"aud", "http://localhost:8000/mcp"}});
//   idp.mode("hang"); idp.rotate(); idp.drop_kid(kid); idp.stats()["jwks_fetches"]
// Header-only; needs FASTMCP_BINARY_DIR (fastmcp_add_test defines it).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace fake_idp {

inline std::string binary() { return std::string(FASTMCP_BINARY_DIR) + "/bin/fastmcp-fake-idp"; }

struct AdminResponse {
    int status = 0;
    std::string body;
};

// One request with Connection: close, read to EOF.
inline AdminResponse http_call(int port, const std::string &method, const std::string &path,
                               const std::string &body = {}) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("fake IdP: cannot connect to port " + std::to_string(port));
    }
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (method == "POST") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    for (size_t sent = 0; sent < req.size();) {
        ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string raw;
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
    ::close(fd);
    AdminResponse r;
    if (raw.size() > 12) r.status = std::atoi(raw.c_str() + 9);
    auto end = raw.find("\r\n\r\n");
    if (end != std::string::npos) r.body = raw.substr(end + 4);
    return r;
}

class Process {
public:
    explicit Process(std::vector<std::string> args = {}) {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        args.insert(args.begin(), binary());
        std::vector<char *> argv;
        for (auto &a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(out[1]);
        if (rc != 0) {
            ::close(out[0]);
            throw std::runtime_error("cannot start " + binary() + ": " + std::strerror(rc));
        }
        read_ready_line(out[0]);
        ::close(out[0]);
    }
    ~Process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            for (int i = 0; i < 250 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (::waitpid(pid_, &status, WNOHANG) == 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
        }
    }
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    int port() const { return port_; }
    int admin_port() const { return admin_port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    pid_t pid() const { return pid_; }

    nlohmann::json admin(const std::string &path, const nlohmann::json &body = nlohmann::json::object()) {
        AdminResponse r = http_call(admin_port_, "POST", path, body.dump());
        if (r.status != 200) throw std::runtime_error("fake IdP " + path + ": HTTP " + std::to_string(r.status) + " " + r.body);
        return nlohmann::json::parse(r.body);
    }
    // claims: {kid?, sub?, exp_in?, aud?, scope?, iss?, extra?}
    std::string mint(const nlohmann::json &claims) { return admin("/__admin/mint", claims).at("token").get<std::string>(); }
    // healthy | hang | status500 | garbage | huge | unusable | down | up; target all | jwks | metadata
    nlohmann::json mode(const std::string &name, const std::string &target = "all", bool content_length = false) {
        return admin("/__admin/mode", {{"mode", name}, {"target", target}, {"content_length", content_length}});
    }
    std::string rotate(bool keep_previous = true) {
        return admin("/__admin/rotate", {{"keep_previous", keep_previous}}).at("kid").get<std::string>();
    }
    void drop_kid(const std::string &kid) { admin("/__admin/drop-kid", {{"kid", kid}}); }
    void publish_kid(const std::string &kid) { admin("/__admin/publish-kid", {{"kid", kid}}); }
    nlohmann::json stats() {
        AdminResponse r = http_call(admin_port_, "GET", "/__admin/stats");
        if (r.status != 200) throw std::runtime_error("fake IdP stats: HTTP " + std::to_string(r.status));
        return nlohmann::json::parse(r.body);
    }
    uint64_t jwks_fetches() { return stats().at("jwks_fetches").get<uint64_t>(); }
    uint64_t metadata_fetches() { return stats().at("metadata_fetches").get<uint64_t>(); }

private:
    void read_ready_line(int fd) {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char c;
            if (::read(fd, &c, 1) != 1) break;
            if (c == '\n') break;
            line += c;
        }
        // "fake IdP listening on http://127.0.0.1:P admin http://127.0.0.1:A"
        const auto admin_at = line.find(" admin http://127.0.0.1:");
        const auto port_at = line.find("http://127.0.0.1:");
        if (line.rfind("fake IdP listening on ", 0) != 0 || admin_at == std::string::npos)
            throw std::runtime_error("fake IdP: no readiness line; got '" + line + "'");
        port_ = std::atoi(line.c_str() + port_at + 17);
        admin_port_ = std::atoi(line.c_str() + admin_at + 24);
    }

    pid_t pid_ = -1;
    int port_ = 0;
    int admin_port_ = 0;
};

} // namespace fake_idp
