#include "protocol_version.hpp"

namespace fastmcp::host {
namespace {
constexpr std::string_view kSupported[] = {"2025-11-25", "2025-06-18", "2025-03-26"};
}

bool is_supported_protocol_version(std::string_view version) {
    for (auto v : kSupported)
        if (v == version) return true;
    return false;
}

std::string_view negotiate_protocol_version(std::string_view requested) {
    for (auto v : kSupported)
        if (v == requested) return v;
    return kLatestProtocolVersion;
}

bool protocol_allows_batches(std::string_view version) { return version == "2025-03-26"; }

} // namespace fastmcp::host
