// A provider whose constructor throws: provider.hpp must turn it into a create() error message.
#include "fastmcp/provider.hpp"

#include <stdexcept>

namespace {
using namespace fastmcp::plugin;

class Throws : public Provider {
public:
    Throws(Host, std::string_view) { throw std::runtime_error("upstream identity service is unreachable"); }
    Verdict verify(std::string_view) override { return Verdict::reject(FASTMCP_REASON_INTERNAL_ERROR, ""); }
    std::string describe_json() override { return "{}"; }
};

const fastmcp_provider_desc kThrows =
    make_provider_desc<Throws>("ThrowingProvider", "FASTMCP_SERVER_AUTH_THROWINGPROVIDER_", "always fails", nullptr, 0);

} // namespace

FASTMCP_AUTH_MODULE("broken_throws", "1.0", &kThrows);
