// Poco prototype: one SocketReactor thread with a SocketAcceptor; each connection observes
// ReadableNotification through the reactor's per-socket NotificationCenter.   loop_poco PORT
#include "http_framing.h"

#include <Poco/NObserver.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAcceptor.h>
#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Net/StreamSocket.h>

#include <csignal>

namespace {

using Poco::Net::ReadableNotification;

class Conn {
  public:
    Conn(Poco::Net::StreamSocket &socket, Poco::Net::SocketReactor &reactor)
        : socket_(socket), reactor_(reactor) {
        socket_.setNoDelay(true);
        reactor_.addEventHandler(socket_, Observer(*this, &Conn::onReadable));
    }
    ~Conn() { reactor_.removeEventHandler(socket_, Observer(*this, &Conn::onReadable)); }

    void onReadable(const Poco::AutoPtr<ReadableNotification> &) {
        char buf[16384];
        try {
            const int n = socket_.receiveBytes(buf, sizeof buf);
            if (n <= 0) return delete this;
            in_.append(buf, static_cast<size_t>(n));
            if (!loopproto::answer_requests(in_, out_)) return delete this;
            // A blocking socket (SocketAcceptor's default): a ~150-byte answer always fits the
            // send buffer, so this never stalls the loop in this benchmark.
            for (size_t sent = 0; sent < out_.size();)
                sent += static_cast<size_t>(
                    socket_.sendBytes(out_.data() + sent, static_cast<int>(out_.size() - sent)));
            out_.clear();
        } catch (const Poco::Exception &) {
            delete this;
        }
    }

  private:
    using Observer = Poco::NObserver<Conn, ReadableNotification>;
    Poco::Net::StreamSocket socket_;
    Poco::Net::SocketReactor &reactor_;
    std::string in_, out_;
};

} // namespace

int main(int argc, char **argv) {
    std::signal(SIGPIPE, SIG_IGN);
    const Poco::Net::SocketAddress address(
        "127.0.0.1", static_cast<Poco::UInt16>(loopproto::port_arg(argc, argv)));
    Poco::Net::ServerSocket socket(address, 4096);
    Poco::Net::SocketReactor reactor;
    Poco::Net::SocketAcceptor<Conn> acceptor(socket, reactor);
    reactor.run();
}
