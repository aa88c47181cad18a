// HangingProvider: verify() that does not come back, for the host's watchdog.
//   hang-forever   never returns
//   hang-ms-<N>    sleeps N ms, then ACCEPTS the token: a late "OK" the host must discard
//   good-token     accepted at once; anything else UNKNOWN_TOKEN
// $FASTMCP_TEST_HANG_DESTROYED (a file path): a line is appended when an instance is destroyed, so
// a reload test can tell when the host let the old provider go.
#include "bad_provider.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace {
using namespace fastmcp::plugin;

class Hang : public bad_provider::Base {
  public:
    Hang(Host, std::string_view) {}
    ~Hang() override {
        if (const char *file = std::getenv("FASTMCP_TEST_HANG_DESTROYED"))
            std::ofstream(file, std::ios::app) << "destroyed\n";
    }
    Verdict verify(std::string_view token) override {
        if (token == "hang-forever")
            for (;;)
                std::this_thread::sleep_for(std::chrono::hours(1));
        if (token.substr(0, 8) == "hang-ms-") {
            std::this_thread::sleep_for(
                std::chrono::milliseconds(std::atol(std::string(token.substr(8)).c_str())));
            return bad_provider::good(token);
        }
        return Base::verify(token);
    }
};

const fastmcp_provider_desc kHang =
    make_provider_desc<Hang>("HangingProvider", "FASTMCP_SERVER_AUTH_HANGINGPROVIDER_",
                             "verify hangs on hang-* tokens (tests)", nullptr, 0);

} // namespace

FASTMCP_AUTH_MODULE("bad_hang", "1.0", &kHang);
