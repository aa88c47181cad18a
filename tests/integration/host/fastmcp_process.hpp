// Test harness: start the real `fastmcp run` binary on a port the OS picks, read the port back from
// its readiness line, and talk raw HTTP/1.1 to it (raw, so tests can send what clients must not).
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace host_test {

inline std::string fastmcp_binary() { return std::string(FASTMCP_BINARY_DIR) + "/bin/fastmcp"; }

class Process {
  public:
    // Runs `fastmcp run <args>` with FASTMCP_* variables removed from the environment and `env`
    // added, in an empty working directory (so no stray ./.env is read).
    Process(std::vector<std::string> args, std::vector<std::string> env = {},
            bool wait_ready = true) {
        char dir_template[] = "/tmp/fastmcp-host-test-XXXXXX";
        if (!mkdtemp(dir_template)) throw std::runtime_error("mkdtemp failed");
        dir_ = dir_template;
        stderr_path_ = dir_ + "/stderr.log";
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe failed");
        std::vector<std::string> envs;
        for (char **e = environ; *e; ++e)
            if (std::strncmp(*e, "FASTMCP_", 8) != 0) envs.emplace_back(*e);
        for (auto &e : env)
            envs.push_back(e);
        args.insert(args.begin(), {fastmcp_binary(), "run"});
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            int err = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(err, 2);
            close(out[0]);
            if (chdir(dir_.c_str()) != 0) _exit(127);
            std::vector<char *> argv, envp;
            for (auto &a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            for (auto &e : envs)
                envp.push_back(e.data());
            envp.push_back(nullptr);
            execve(argv[0], argv.data(), envp.data());
            _exit(127);
        }
        close(out[1]);
        stdout_fd_ = out[0];
        if (wait_ready) read_ready_line();
    }
    ~Process() {
        if (pid_ > 0 && !exited_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (stdout_fd_ >= 0) close(stdout_fd_);
        unlink(stderr_path_.c_str());
        rmdir(dir_.c_str());
    }

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string &ready_line() const { return ready_line_; }
    // Threads but the main one that do not block `sig` (from /proc/<pid>/task/*/status SigBlk).
    // The host drains on SIGTERM only if no thread but the main one (in sigtimedwait, which
    // unblocks it while waiting) can take it.
    std::vector<std::string> threads_not_blocking(int sig) const {
        std::vector<std::string> open;
        const std::string tasks = "/proc/" + std::to_string(pid_) + "/task";
        std::unique_ptr<DIR, int (*)(DIR *)> dir(opendir(tasks.c_str()), closedir);
        if (!dir) throw std::runtime_error("cannot list " + tasks);
        while (const dirent *entry = readdir(dir.get())) {
            if (entry->d_name[0] == '.' || entry->d_name == std::to_string(pid_)) continue;
            std::ifstream status(tasks + "/" + entry->d_name + "/status");
            std::string line, name;
            while (std::getline(status, line)) {
                if (line.rfind("Name:", 0) == 0) name = line.substr(5);
                if (line.rfind("SigBlk:", 0) == 0) {
                    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
                    if (!(mask & (1ULL << (sig - 1)))) open.push_back(entry->d_name + name);
                }
            }
        }
        return open;
    }
    // Sends `sig` and waits for the exit status (-1 on timeout).
    int stop(int sig = SIGTERM, int timeout_ms = 15000) {
        kill(pid_, sig);
        return wait_exit(timeout_ms);
    }
    int wait_exit(int timeout_ms = 15000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        int status = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }
    std::string stderr_text() const {
        std::ifstream f(stderr_path_);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }
    // Everything printed on stdout after the readiness line (read once the process has exited).
    std::string rest_of_stdout() {
        std::string all;
        char buf[4096];
        ssize_t n;
        while ((n = read(stdout_fd_, buf, sizeof buf)) > 0)
            all.append(buf, static_cast<size_t>(n));
        return all;
    }

  private:
    void read_ready_line() {
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        char c;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{stdout_fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            if (read(stdout_fd_, &c, 1) != 1) break;
            if (c == '\n') break;
            line += c;
        }
        ready_line_ = line;
        auto colon = line.rfind(':');
        if (line.rfind("Listening on http://", 0) != 0 || colon == std::string::npos)
            throw std::runtime_error("no readiness line; got '" + line +
                                     "'; stderr: " + stderr_text());
        port_ = std::atoi(line.c_str() + colon + 1);
    }

    std::string dir_, stderr_path_;
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int port_ = 0;
    bool exited_ = false;
    std::string ready_line_;
};

struct Response {
    int status = 0;
    std::multimap<std::string, std::string> headers; // names lower-cased
    std::string body;
    std::string header(const std::string &name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool has_header(const std::string &name) const { return headers.count(name) > 0; }
};

inline int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("connect failed");
    }
    timeval tv{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

inline void send_all(int fd, const std::string &data) {
    size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return; // the server may close early (413, 431): read what it said
        sent += static_cast<size_t>(n);
    }
}

// Parses one response from `buffer` (consuming it); false when incomplete.
inline bool parse_response(std::string &buffer, Response &r) {
    size_t end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    std::istringstream head(buffer.substr(0, end));
    std::string line;
    std::getline(head, line);
    r = Response{};
    r.status = std::atoi(line.c_str() + 9);
    while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        for (auto &ch : name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        r.headers.emplace(name, value);
    }
    size_t length = static_cast<size_t>(std::atoll(r.header("content-length").c_str()));
    if (buffer.size() < end + 4 + length) return false;
    r.body = buffer.substr(end + 4, length);
    buffer.erase(0, end + 4 + length);
    return true;
}

inline Response read_response(int fd, std::string &buffer) {
    Response r;
    char buf[16384];
    while (!parse_response(buffer, r)) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) throw std::runtime_error("connection closed before a full response");
        buffer.append(buf, static_cast<size_t>(n));
    }
    return r;
}

// One request on a fresh connection.
inline Response roundtrip(int port, const std::string &raw_request) {
    int fd = connect_to(port);
    send_all(fd, raw_request);
    std::string buffer;
    Response r;
    try {
        r = read_response(fd, buffer);
    } catch (...) {
        close(fd);
        throw;
    }
    close(fd);
    return r;
}

inline std::string request(int port, const std::string &method, const std::string &path,
                           const std::string &body, const std::vector<std::string> &headers = {},
                           bool default_host = true) {
    std::string r = method + " " + path + " HTTP/1.1\r\n";
    if (default_host) r += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    bool has_ct = false;
    for (const auto &h : headers) {
        r += h + "\r\n";
        if (strncasecmp(h.c_str(), "content-type:", 13) == 0) has_ct = true;
    }
    if (!body.empty() || method == "POST") {
        if (!has_ct) r += "Content-Type: application/json\r\n";
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    r += "\r\n" + body;
    return r;
}

inline Response post(int port, const std::string &body,
                     const std::vector<std::string> &headers = {},
                     const std::string &path = "/mcp") {
    return roundtrip(port, request(port, "POST", path, body, headers));
}

inline Response get(int port, const std::string &path,
                    const std::vector<std::string> &headers = {}) {
    return roundtrip(port, request(port, "GET", path, "", headers));
}

} // namespace host_test
