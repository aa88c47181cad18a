// bench_idle_clients: holds N idle keep-alive connections to an MCP server for the connection-
// scaling benchmark (bench/run). Each connection sends one request (ping) and reads its answer,
// then idles; after --hold seconds every connection sends a second ping, and the tool reports how
// many were still open and answered 200 (a connection the server dropped before its keep-alive
// timeout shows up as not alive).
//   bench_idle_clients --port P [--path /mcp] [--count N] [--hold S] [--token-file F]
// Prints "READY <n>" once all are open and idle, then one line "IDLE_JSON {...}".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

bool send_all(int fd, const std::string &data) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

// Reads one response with a Content-Length body; its status, or 0 on EOF/error.
int read_status(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {
        const size_t end = buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
            const size_t cl = buffer.find("Content-Length: ");
            const size_t length =
                cl == std::string::npos ? 0 : std::strtoul(buffer.c_str() + cl + 16, nullptr, 10);
            if (buffer.size() >= end + 4 + length) return std::atoi(buffer.c_str() + 9);
        }
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return 0;
        buffer.append(chunk, static_cast<size_t>(n));
    }
}

} // namespace

int main(int argc, char **argv) {
    int port = 0, count = 10000, hold = 30;
    std::string path = "/mcp", token;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--port")
            port = std::atoi(argv[i + 1]);
        else if (a == "--count")
            count = std::atoi(argv[i + 1]);
        else if (a == "--hold")
            hold = std::atoi(argv[i + 1]);
        else if (a == "--path")
            path = argv[i + 1];
        else if (a == "--token-file")
            std::getline(std::ifstream(argv[i + 1]), token);
    }
    if (port <= 0) {
        std::fprintf(
            stderr, "usage: bench_idle_clients --port P [--count N] [--hold S] [--token-file F]\n");
        return 2;
    }
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);

    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    std::string request =
        "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
        "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<int> fds;
    int refused = 0;
    for (int i = 0; i < count; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
            !send_all(fd, request) || read_status(fd) != 200) {
            ++refused;
            if (fd >= 0) ::close(fd);
            continue;
        }
        fds.push_back(fd);
    }
    std::printf("READY %zu\n", fds.size());
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(hold));
    size_t alive = 0;
    for (int fd : fds) {
        if (send_all(fd, request) && read_status(fd) == 200) ++alive;
        ::close(fd);
    }
    std::printf(
        "IDLE_JSON "
        "{\"requested\":%d,\"opened\":%zu,\"refused\":%d,\"alive_after_hold\":%zu,\"hold_s\":%d}\n",
        count, fds.size(), refused, alive, hold);
    return alive == fds.size() && refused == 0 ? 0 : 1;
}
