#include "provider_ready.hpp"

#include <chrono>
#include <thread>

namespace fastmcp::cli {

nlohmann::json wait_until_ready(const loader::ProviderHandle &h, double timeout_s) {
    using nlohmann::json;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    json health = nullptr;
    for (;;) {
        try {
            json d = json::parse(h.describe_json());
            if (d.is_object() && d.contains("health")) health = d["health"];
        } catch (const std::exception &) {
        }
        if (health.is_object() && health.value("ready", false)) return health;
        if (std::chrono::steady_clock::now() >= deadline) return health;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace fastmcp::cli
