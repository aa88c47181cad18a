// Waiting for a freshly loaded provider to be ready (its keys fetched) before verifying a token.
// Shared by `auth check` and `auth doctor --token`.
#pragma once

#include "fastmcp/loader.hpp"

#include <nlohmann/json.hpp>

namespace fastmcp::cli {

// Polls describe() until health.ready is true or `timeout_s` passes; returns the last health
// object (null when describe() never reported one).
nlohmann::json wait_until_ready(const loader::ProviderHandle &provider, double timeout_s);

} // namespace fastmcp::cli
