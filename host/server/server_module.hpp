// Loading a server module (plugin_api/fastmcp/server_module.h): dlopen, ABI check, and the
// registration of its tools into a Server. Tool handlers keep the module loaded.
#pragma once

#include "fastmcp/server.hpp"
#include "fastmcp/server_module.h"

#include <map>
#include <memory>
#include <string>

namespace fastmcp::host {

class ServerModule : public std::enable_shared_from_this<ServerModule> {
public:
    // Throws StartupError with an actionable message (missing file, dlopen error, no entry symbol,
    // ABI major mismatch naming both versions, bad descriptor).
    static std::shared_ptr<ServerModule> open(const std::string &path);
    ~ServerModule();
    ServerModule(const ServerModule &) = delete;
    ServerModule &operator=(const ServerModule &) = delete;

    std::string name() const;
    std::string version() const;
    std::string instructions() const;
    // Calls the module's register_tools; throws StartupError when it fails or a tool is invalid.
    // `env_file` (--env-file; empty = $FASTMCP_ENV_FILE, else ./.env) backs host->get_env().
    void register_tools(Server &server, const std::string &env_file = {});

private:
    ServerModule(std::string path, void *handle, const fastmcp_server_module *desc);
    int add_resource(const fastmcp_resource_desc *resource, bool is_template);
    int add_prompt(const fastmcp_prompt_desc *prompt);
    std::string path_;
    void *handle_;
    const fastmcp_server_module *desc_;
    Server *target_ = nullptr;
    std::string error_;
    fastmcp_server_host host_{};
    // host->get_env(): process environment over the .env file, filled once by register_tools
    // (before any handler runs, so reads need no lock). Values lent out live as long as this.
    std::map<std::string, std::string, std::less<>> env_;
};

} // namespace fastmcp::host
