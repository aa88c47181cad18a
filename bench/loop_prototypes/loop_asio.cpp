// Boost.Asio prototype: one io_context (concurrency hint 1), one thread, a session per
// connection chaining a read -> async_write.   loop_asio PORT [wait]
// Default: async_read_some into a 16 KB buffer owned by each connection (the textbook shape).
// "wait": async_wait(wait_read), then a non-blocking read_some into one buffer shared by the loop,
// so an idle connection owns no read buffer; and accept drains the backlog.
#include "http_framing.h"

#include <utility> // Boost 1.74 awaitable.hpp uses std::exchange without it (g++ 12, C++20)

#include <boost/asio.hpp>

#include <array>
#include <memory>
#include <string_view>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kBufferSize = 16384;

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, bool wait) : socket_(std::move(socket)), wait_(wait) {
        socket_.non_blocking(wait_);
        if (!wait_) buf_ = std::make_unique_for_overwrite<char[]>(kBufferSize);
    }

    void read() {
        if (wait_) return read_when_ready();
        socket_.async_read_some(
            asio::buffer(buf_.get(), kBufferSize),
            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                if (ec) return;
                self->in_.append(self->buf_.get(), n);
                if (!loopproto::answer_requests(self->in_, self->out_)) return;
                if (self->out_.empty())
                    self->read();
                else
                    self->write();
            });
    }

  private:
    void read_when_ready() {
        socket_.async_wait(
            tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
                static std::array<char, 65536> shared; // one loop thread: one buffer
                const size_t n = ec ? 0 : self->socket_.read_some(asio::buffer(shared), ec);
                if (ec == asio::error::would_block) return self->read_when_ready();
                if (ec) return;
                self->in_.append(shared.data(), n);
                if (!loopproto::answer_requests(self->in_, self->out_)) return;
                if (self->out_.empty())
                    self->read_when_ready();
                else
                    self->write();
            });
    }

    void write() {
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                              if (ec) return;
                              self->out_.clear();
                              self->read();
                          });
    }

    tcp::socket socket_;
    bool wait_;
    std::unique_ptr<char[]> buf_; // only without "wait"; uninitialised, as a std::array member
    std::string in_, out_;
};

void accept(tcp::acceptor &acceptor, bool wait) {
    acceptor.async_accept([&acceptor, wait](boost::system::error_code ec, tcp::socket socket) {
        while (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(socket), wait)->read();
            if (!wait) break;
            // "wait" also drains the backlog, as loop_epoll does, instead of one accept per
            // trip through the handler queue.
            socket = tcp::socket(acceptor.get_executor());
            acceptor.accept(socket, ec); // non-blocking: would_block ends the drain
        }
        accept(acceptor, wait);
    });
}

} // namespace

int main(int argc, char **argv) {
    asio::io_context io(1);
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(),
                                 static_cast<unsigned short>(loopproto::port_arg(argc, argv)));
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(4096);
    const bool wait = argc > 2 && std::string_view(argv[2]) == "wait";
    acceptor.non_blocking(wait);
    accept(acceptor, wait);
    io.run();
}
