#include "loopback_listener.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

namespace fastmcp::client {
namespace {

constexpr const char *kDonePage =
    "<!doctype html><meta charset=utf-8><title>fastmcp</title>"
    "<p>Sign-in complete. You can close this tab and return to the terminal.</p>";

class CallbackHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit CallbackHandler(std::shared_ptr<LoopbackListener::Shared> s) : shared_(std::move(s)) {}
    void handleRequest(Poco::Net::HTTPServerRequest &req, Poco::Net::HTTPServerResponse &res) override {
        CallbackParams params;
        bool ok = false;
        try {
            Poco::URI uri(req.getURI());
            if (uri.getPath() == "/callback" && req.getMethod() == "GET") {
                for (auto &[k, v] : uri.getQueryParameters()) params.query.emplace(k, v);
                ok = params.query.count("code") || params.query.count("error");
            }
        } catch (const Poco::Exception &) {
        }
        res.set("Cache-Control", "no-store");
        if (!ok) {
            res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            res.setContentType("text/plain");
            res.send() << "not found\n";
            return;
        }
        res.setContentType("text/html; charset=utf-8");
        res.send() << kDonePage;
        std::lock_guard lock(shared_->mu);
        if (!shared_->result) { // only the first callback counts
            shared_->result = std::move(params);
            shared_->cv.notify_all();
        }
    }

private:
    std::shared_ptr<LoopbackListener::Shared> shared_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<LoopbackListener::Shared> s) : shared_(std::move(s)) {}
    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &) override {
        return new CallbackHandler(shared_);
    }

private:
    std::shared_ptr<LoopbackListener::Shared> shared_;
};

} // namespace

LoopbackListener::LoopbackListener() : shared_(std::make_shared<Shared>()) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), false);
    socket.listen(8);
    redirect_uri_ = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/callback";
    auto *params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    params->setKeepAlive(false);
    params->setTimeout(Poco::Timespan(5, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(shared_), socket, params);
    server_->start();
}

LoopbackListener::~LoopbackListener() { server_->stopAll(true); }

std::optional<CallbackParams> LoopbackListener::wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(shared_->mu);
    shared_->cv.wait_for(lock, timeout, [&] { return shared_->result.has_value(); });
    return shared_->result;
}

} // namespace fastmcp::client
