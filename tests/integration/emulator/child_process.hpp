// Test support: start a real binary with extra environment, read its readiness line from stdout
// (e.g. "AuthKit emulator listening on http://127.0.0.1:P"), and stop it with SIGTERM.
#pragma once

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace fastmcp::testing {

class ChildProcess {
public:
    // merge_stderr: the child's stderr goes to the same pipe as stdout (for checks on everything it prints).
    ChildProcess(const std::vector<std::string> &argv, const std::vector<std::string> &extra_env = {},
                 bool merge_stderr = false) {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        if (merge_stderr) posix_spawn_file_actions_adddup2(&fa, out[1], 2);
        std::vector<std::string> env_store;
        for (char **e = environ; *e; ++e) env_store.emplace_back(*e);
        for (const auto &e : extra_env) env_store.push_back(e);
        std::vector<char *> envp, args;
        for (auto &e : env_store) envp.push_back(e.data());
        envp.push_back(nullptr);
        std::vector<std::string> argv_store = argv;
        for (auto &a : argv_store) args.push_back(a.data());
        args.push_back(nullptr);
        const int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), envp.data());
        posix_spawn_file_actions_destroy(&fa);
        ::close(out[1]);
        out_ = out[0];
        if (rc != 0) {
            ::close(out_);
            throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
        }
    }
    ~ChildProcess() { stop(); }
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    // The first stdout line containing `marker`, or "" after `timeout` or at EOF.
    std::string wait_for_line(const std::string &marker, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            for (size_t nl; (nl = buf_.find('\n')) != std::string::npos;) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (line.find(marker) != std::string::npos) return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return {};
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
            char chunk[4096];
            const ssize_t n = ::read(out_, chunk, sizeof chunk);
            if (n <= 0) return {};
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }

    // Everything printed until the child closes its output, then its exit status (-1 on a signal
    // or after `timeout`, when it is killed).
    int wait_exit(std::string &output, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (out_ >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{out_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                ::kill(pid_, SIGKILL);
                break;
            }
            char chunk[4096];
            const ssize_t n = ::read(out_, chunk, sizeof chunk);
            if (n <= 0) break;
            buf_.append(chunk, static_cast<size_t>(n));
        }
        output = std::move(buf_);
        buf_.clear();
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        if (out_ >= 0) ::close(out_);
        out_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
    }

    // SIGTERM, then the exit status (or -1).
    int stop() {
        if (pid_ <= 0) return status_;
        ::kill(pid_, SIGTERM);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        if (out_ >= 0) ::close(out_);
        out_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        return status_;
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    int status_ = -1;
    std::string buf_;
};

// "...listening on http://127.0.0.1:38311" -> 38311; 0 when absent.
inline int port_from_line(const std::string &line) {
    const auto colon = line.rfind(':');
    if (colon == std::string::npos) return 0;
    size_t end = colon + 1;
    while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
    return end > colon + 1 ? std::stoi(line.substr(colon + 1, end - colon - 1)) : 0;
}

} // namespace fastmcp::testing
