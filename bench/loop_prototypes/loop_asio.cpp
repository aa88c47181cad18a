// Boost.Asio prototype: one io_context (concurrency hint 1), one thread, a session per
// connection chaining async_read_some -> async_write.   loop_asio PORT
#include "http_framing.h"

#include <utility> // Boost 1.74 awaitable.hpp uses std::exchange without it (g++ 12, C++20)

#include <boost/asio.hpp>

#include <array>
#include <memory>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
  public:
    explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}

    void read() {
        socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                        boost::system::error_code ec, size_t n) {
            if (ec) return;
            self->in_.append(self->buf_.data(), n);
            if (!loopproto::answer_requests(self->in_, self->out_)) return;
            if (self->out_.empty())
                self->read();
            else
                self->write();
        });
    }

  private:
    void write() {
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                              if (ec) return;
                              self->out_.clear();
                              self->read();
                          });
    }

    tcp::socket socket_;
    std::array<char, 16384> buf_;
    std::string in_, out_;
};

void accept(tcp::acceptor &acceptor) {
    acceptor.async_accept([&acceptor](boost::system::error_code ec, tcp::socket socket) {
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(socket))->read();
        }
        accept(acceptor);
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
    accept(acceptor);
    io.run();
}
