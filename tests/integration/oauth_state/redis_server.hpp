#pragma once
// Test support: a real redis-server on a loopback port picked by the OS, no persistence, stopped
// (SIGTERM) when the object dies. available() is false when redis-server is not installed.
#include "../emulator/child_process.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <thread>

namespace fastmcp::testing {

inline const char *redis_server_binary() {
    for (const char *p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
        if (::access(p, X_OK) == 0) return p;
    return nullptr;
}

inline bool redis_available() { return redis_server_binary() != nullptr; }

// A port that was free a moment ago (bind to port 0, read it, close).
inline int pick_free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
        throw std::runtime_error("cannot pick a free port");
    ::close(fd);
    return ntohs(a.sin_port);
}

class RedisServer {
  public:
    // port 0: pick one (retried if another process takes it first).
    explicit RedisServer(int port = 0) {
        for (int attempt = 0; attempt < 5 && !child_; ++attempt)
            start(port ? port : pick_free_port());
        if (!child_) throw std::runtime_error("redis-server did not start");
    }
    int port() const { return port_; }
    std::string url(int db = 0) const {
        return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
    }
    void stop() { child_.reset(); }
    void restart() {
        stop();
        start(port_);
        if (!child_) throw std::runtime_error("redis-server did not restart");
    }

    // One command on a fresh connection (test inspection): the reply, or nullptr.
    std::unique_ptr<redisReply, decltype(&freeReplyObject)>
    command(const std::vector<std::string> &args) const {
        std::unique_ptr<redisContext, decltype(&redisFree)> c(redisConnect("127.0.0.1", port_),
                                                              redisFree);
        std::vector<const char *> argv;
        std::vector<size_t> lens;
        for (const auto &a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        void *r = (c && !c->err) ? redisCommandArgv(c.get(), static_cast<int>(args.size()),
                                                    argv.data(), lens.data())
                                 : nullptr;
        return {static_cast<redisReply *>(r), freeReplyObject};
    }

  private:
    void start(int port) {
        port_ = port;
        auto child = std::make_unique<ChildProcess>(
            std::vector<std::string>{redis_server_binary(), "--port", std::to_string(port),
                                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                     "--daemonize", "no", "--loglevel", "notice"},
            std::vector<std::string>{}, true);
        if (!child->wait_for_line("Ready to accept connections", std::chrono::seconds(10)).empty())
            child_ = std::move(child);
    }

    int port_ = 0;
    std::unique_ptr<ChildProcess> child_;
};

} // namespace fastmcp::testing
