// CrashingProvider: verify() that takes the process down, for the fatal-signal contract.
//   crash-segv     writes through a bad pointer (a real SIGSEGV, not raise())
//   crash-abort    abort() (SIGABRT)
//   good-token     accepted; anything else UNKNOWN_TOKEN
#include "bad_provider.hpp"

#include <cstdint>
#include <cstdlib>

namespace {
using namespace fastmcp::plugin;

class Crash : public bad_provider::Base {
public:
    Crash(Host, std::string_view) {}
    Verdict verify(std::string_view token) override {
        if (token == "crash-segv") {
            volatile std::uintptr_t address = 16; // volatile: the compiler cannot turn this into a trap
            *reinterpret_cast<volatile int *>(static_cast<std::uintptr_t>(address)) = 1;
        }
        if (token == "crash-abort") std::abort();
        return Base::verify(token);
    }
};

const fastmcp_provider_desc kCrash = make_provider_desc<Crash>(
    "CrashingProvider", "FASTMCP_SERVER_AUTH_CRASHINGPROVIDER_", "verify crashes on crash-* tokens (tests)", nullptr, 0);

} // namespace

FASTMCP_AUTH_MODULE("bad_crash", "1.0", &kCrash);
