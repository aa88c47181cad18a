// Links (unresolved symbols ignored) but dlopen(RTLD_NOW) fails: the symbol exists nowhere.
#include "fastmcp/provider.hpp"

extern "C" int fastmcp_test_symbol_that_does_not_exist(void);

namespace {
using namespace fastmcp::plugin;

class Unresolved : public Provider {
public:
    Unresolved(Host, std::string_view) {}
    Verdict verify(std::string_view) override {
        return Verdict::reject(static_cast<fastmcp_reason>(fastmcp_test_symbol_that_does_not_exist()), "");
    }
    std::string describe_json() override { return "{}"; }
};

const fastmcp_provider_desc kUnresolved = make_provider_desc<Unresolved>(
    "UnresolvedProvider", "FASTMCP_SERVER_AUTH_UNRESOLVEDPROVIDER_", "never loads", nullptr, 0);

} // namespace

FASTMCP_AUTH_MODULE("broken_unresolved", "1.0", &kUnresolved);
