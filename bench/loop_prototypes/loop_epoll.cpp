// Raw epoll prototype: one thread, edge-triggered, non-blocking sockets, registered once for
// EPOLLIN|EPOLLOUT so that no epoll_ctl is needed after accept.   loop_epoll PORT
#include "http_framing.h"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

struct Conn {
    int fd;
    std::string in, out;
};

// Writes as much of out as the socket takes; false on a hard error.
bool flush(Conn &c) {
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EINTR;
        c.out.erase(0, static_cast<size_t>(n));
    }
    return true;
}

// Edge-triggered: read until EAGAIN, or the event is lost. False when the connection must close.
bool on_readable(Conn &c, char *buf, size_t size) {
    for (;;) {
        const ssize_t n = ::read(c.fd, buf, size);
        if (n == 0) return false;
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return false;
            break;
        }
        c.in.append(buf, static_cast<size_t>(n));
    }
    return loopproto::answer_requests(c.in, c.out);
}

} // namespace

int main(int argc, char **argv) {
    std::signal(SIGPIPE, SIG_IGN);
    const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(loopproto::port_arg(argc, argv)));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(lfd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(lfd, 4096) != 0) {
        std::perror("bind/listen");
        return 1;
    }
    const int ep = ::epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr; // the listener
    ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    std::vector<epoll_event> events(1024);
    static char buf[65536];
    for (;;) {
        const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            auto *c = static_cast<Conn *>(events[i].data.ptr);
            if (c == nullptr) {
                int fd;
                while ((fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
                    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
                    ev.data.ptr = new Conn{fd, {}, {}};
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            bool ok = (events[i].events & (EPOLLERR | EPOLLHUP)) == 0;
            if (ok && (events[i].events & (EPOLLIN | EPOLLRDHUP)))
                ok = on_readable(*c, buf, sizeof buf);
            if (ok) ok = flush(*c);
            if (!ok) {
                ::close(c->fd); // also removes it from the epoll set
                delete c;
            }
        }
    }
}
