// The redirect target of a native OAuth client (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 with
// a port the OS picks, waiting for one request to /callback that carries code/state or error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPServer;
}

namespace fastmcp::client {

struct CallbackParams {
    std::map<std::string, std::string> query; // code, state, iss, or error, error_description
};

class LoopbackListener {
public:
    LoopbackListener(); // binds 127.0.0.1:0 and starts listening
    ~LoopbackListener();
    LoopbackListener(const LoopbackListener &) = delete;
    LoopbackListener &operator=(const LoopbackListener &) = delete;

    // http://127.0.0.1:<port>/callback
    const std::string &redirect_uri() const { return redirect_uri_; }
    // The first callback's parameters, or nullopt after `timeout`.
    std::optional<CallbackParams> wait(std::chrono::milliseconds timeout);

    struct Shared {
        std::mutex mu;
        std::condition_variable cv;
        std::optional<CallbackParams> result;
    };

private:
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::string redirect_uri_;
};

} // namespace fastmcp::client
