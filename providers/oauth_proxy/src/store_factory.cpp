// STORAGE -> backend. The persistent backends land in the next commits; until then only
// "memory" opens, and the other accepted forms say they are not built yet.
#include "fastmcp/oauth_proxy/store_factory.hpp"

namespace fastmcp::oauth_proxy {

std::unique_ptr<StateStore> open_state_store(const StoreConfig &config) {
    if (config.storage == "memory") return make_memory_store(config.clock);
    throw StoreError(StoreError::Reason::config,
                     "STORAGE: backend not available in this build yet (accepted: unset, "
                     "\"sqlite\", \"sqlite:///path\", \"redis://host:port/db\", \"memory\")");
}

} // namespace fastmcp::oauth_proxy
