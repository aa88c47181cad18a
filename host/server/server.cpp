#include "fastmcp/server.hpp"

#include "fastmcp/provider_backend.hpp"

#include "../http/http_server.hpp"
#include "../http/mcp_http_handler.hpp"
#include "../http/origin_guard.hpp"
#include "../mcp/dispatcher.hpp"
#include "../ops/admin_handler.hpp"
#include "../ops/log_format.hpp"
#include "../ops/readiness.hpp"
#include "auth_from_env.hpp"
#include "auth_reload.hpp"
#include "host_services.hpp"

#include "fastmcp/env/environment.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace fastmcp {

struct Server::Impl {
    host::ServerInfo info;
    std::map<std::string, Tool, std::less<>> tools;
    std::map<std::string, Resource, std::less<>> resources;
    std::vector<Resource> resource_templates;
    std::map<std::string, Prompt, std::less<>> prompts;
    // The running server's sessions (stateful mode), for notify_*(): set by run().
    std::mutex sessions_mutex;
    std::weak_ptr<host::SessionStore> sessions;
    std::shared_ptr<const AuthBackend> auth;
    std::mutex mutex;
    std::condition_variable wake;
    bool stop_requested = false;
};

Server::Server(std::string name, std::string version) : impl_(std::make_unique<Impl>()) {
    impl_->info.name = std::move(name);
    impl_->info.version = std::move(version);
}

Server::~Server() = default;

Server &Server::tool(std::string name, std::string description, std::string_view input_schema_json,
                     ToolHandler handler) {
    auto schema = nlohmann::json::parse(input_schema_json, nullptr, false);
    if (!schema.is_object())
        throw std::invalid_argument("tool " + name + ": the input schema is not a JSON object");
    return tool(
        Tool{std::move(name), std::move(description), std::move(schema), std::move(handler)});
}

Server &Server::nonblocking_tool(std::string name, std::string description,
                                 std::string_view input_schema_json, ToolHandler handler) {
    tool(name, std::move(description), input_schema_json, std::move(handler));
    impl_->tools.find(name)->second.nonblocking = true;
    return *this;
}

Server &Server::tool(Tool t) {
    if (t.name.empty() || !t.handler)
        throw std::invalid_argument("a tool needs a name and a handler");
    if (!t.input_schema.is_object())
        throw std::invalid_argument("tool " + t.name + ": the input schema is not a JSON object");
    if (impl_->tools.count(t.name))
        throw std::invalid_argument("tool " + t.name + " is registered twice");
    std::string key = t.name;
    impl_->tools.emplace(std::move(key), std::move(t));
    return *this;
}

Server &Server::resource(Resource r) {
    if (r.uri.empty() || r.name.empty() || !r.handler)
        throw std::invalid_argument("a resource needs a uri, a name and a handler");
    if (impl_->resources.count(r.uri))
        throw std::invalid_argument("resource " + r.uri + " is registered twice");
    std::string key = r.uri;
    impl_->resources.emplace(std::move(key), std::move(r));
    return *this;
}

Server &Server::resource_template(Resource r) {
    if (r.uri.empty() || r.name.empty() || !r.handler)
        throw std::invalid_argument(
            "a resource template needs a uriTemplate, a name and a handler");
    host::UriTemplate check(r.uri); // throws std::invalid_argument beyond level 1
    for (const auto &t : impl_->resource_templates)
        if (t.uri == r.uri)
            throw std::invalid_argument("resource template " + r.uri + " is registered twice");
    impl_->resource_templates.push_back(std::move(r));
    return *this;
}

Server &Server::prompt(Prompt p) {
    if (p.name.empty() || !p.handler)
        throw std::invalid_argument("a prompt needs a name and a handler");
    if (impl_->prompts.count(p.name))
        throw std::invalid_argument("prompt " + p.name + " is registered twice");
    std::string key = p.name;
    impl_->prompts.emplace(std::move(key), std::move(p));
    return *this;
}

int Server::notify_resource_updated(const std::string &uri) {
    std::shared_ptr<host::SessionStore> sessions;
    {
        std::lock_guard lock(impl_->sessions_mutex);
        sessions = impl_->sessions.lock();
    }
    if (!sessions) return 0;
    const std::string message = nlohmann::json{
        {"jsonrpc", "2.0"},
        {"method", "notifications/resources/updated"},
        {"params", {{"uri", uri}}}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return sessions->broadcast(message, [&](host::Session &s) { return s.mcp().subscribed(uri); });
}

int Server::notify_list_changed(std::string_view method) {
    std::shared_ptr<host::SessionStore> sessions;
    {
        std::lock_guard lock(impl_->sessions_mutex);
        sessions = impl_->sessions.lock();
    }
    if (!sessions) return 0;
    const std::string message = nlohmann::json{{"jsonrpc", "2.0"}, {"method", method}}.dump();
    return sessions->broadcast(message, [](host::Session &) { return true; });
}

Server &Server::auth(std::shared_ptr<const AuthBackend> backend) {
    impl_->auth = std::move(backend);
    return *this;
}

Server &Server::instructions(std::string text) {
    impl_->info.instructions = std::move(text);
    return *this;
}

void Server::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stop_requested = true;
    }
    impl_->wake.notify_all();
}

namespace {

int parse_log_level(const std::string &level) {
    if (level.empty() || level == "info" || level == "INFO") return FASTMCP_LOG_INFO;
    if (level == "debug" || level == "DEBUG") return FASTMCP_LOG_DEBUG;
    if (level == "warning" || level == "WARNING" || level == "warn") return FASTMCP_LOG_WARNING;
    if (level == "error" || level == "ERROR") return FASTMCP_LOG_ERROR;
    throw StartupError("--log-level: '" + level + "' is not one of debug, info, warning, error");
}

std::string url_host(const std::string &host) {
    return host.find(':') != std::string::npos && host.front() != '[' ? "[" + host + "]" : host;
}

std::string normalise_path(std::string path) {
    if (path.empty() || path.front() != '/')
        throw StartupError("--path must start with '/': " + path);
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    if (path.find_first_of("?# ") != std::string::npos)
        throw StartupError("--path must be a plain path: " + path);
    return path;
}

// FASTMCP_STATELESS_HTTP (process environment, then the .env file), read as FastMCP reads a bool.
bool stateless_from_environment(const std::string &env_file) {
    std::optional<env::Variable> value;
    try {
        value = env::Environment::from_process(
                    env_file.empty() ? std::nullopt : std::optional<std::string>(env_file))
                    .get("FASTMCP_STATELESS_HTTP");
    } catch (const std::exception &e) {
        throw StartupError(e.what());
    }
    if (!value) return true;
    std::string v = value->value;
    for (auto &c : v)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    throw StartupError(value->label() + ": '" + value->value +
                       "' is not a boolean (true/false, 1/0, yes/no, on/off)");
}

} // namespace

int Server::run(const RunOptions &options) {
    try {
        // Block the stop signals before any thread starts (the provider's key fetcher starts with
        // it), so every thread inherits the mask and only sigtimedwait below receives them: a
        // SIGTERM taken by an unmasked thread would kill the process instead of draining it.
        sigset_t signals, previous;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGHUP); // reload the auth backend
        if (options.handle_signals) {
            pthread_sigmask(SIG_BLOCK, &signals, &previous);
            std::signal(SIGPIPE, SIG_IGN); // a client that hangs up must not kill the server
        }
        struct RestoreMask {
            bool active;
            sigset_t *mask;
            ~RestoreMask() {
                if (active) pthread_sigmask(SIG_SETMASK, mask, nullptr);
            }
        } restore{options.handle_signals, &previous};
        host::set_default_log_level(parse_log_level(options.log_level));
        std::string log_format = options.log_format;
        if (log_format.empty())
            if (const char *env = std::getenv("FASTMCP_LOG_FORMAT")) log_format = env;
        ops::LogFormat format = ops::LogFormat::text;
        if (!log_format.empty() && !ops::parse_log_format(log_format, format))
            throw StartupError("--log-format must be text or json, not '" + log_format + "'");
        ops::set_log_format(format);
        if (options.admin_port < -1 || options.admin_port > 65535)
            throw StartupError("--admin-port must be 0..65535");
        if (options.admin_port >= 0 && !host::is_loopback_bind(options.admin_host))
            throw StartupError("the admin port serves loopback only, not " + options.admin_host);
        ops::set_draining(false);
        if (options.transport != "http" && options.transport != "streamable-http")
            throw StartupError(
                "--transport " + options.transport +
                " is not supported: this host serves Streamable HTTP only (use --transport http)");
        if (options.port < 0 || options.port > 65535) throw StartupError("--port must be 0..65535");
        const std::string path = normalise_path(options.path);
        const bool loopback = host::is_loopback_bind(options.host);

        // Auth: explicit backend > FASTMCP_SERVER_AUTH (process env, then --env-file / .env) > off.
        // Only auth from the environment is reloaded on SIGHUP.
        host::AuthSource source{options.env_file, path, options.host, loopback,
                                options.limits.verify_timeout_ms};
        std::shared_ptr<const AuthBackend> auth = impl_->auth;
        std::string auth_label;
        if (!auth) {
            host::LoadedAuth loaded = host::auth_from_environment(source);
            auth = std::move(loaded.backend);
            auth_label = std::move(loaded.label);
        }
        if (!auth) {
            if (loopback)
                host::log_message(
                    FASTMCP_LOG_INFO,
                    "auth is off (FASTMCP_SERVER_AUTH is unset); serving loopback only");
            else
                host::log_message(
                    FASTMCP_LOG_WARNING,
                    "AUTH IS OFF: FASTMCP_SERVER_AUTH is unset and the server listens on " +
                        options.host + ", so anyone who can reach it can call every tool");
        }

        host::HttpAppConfig config;
        config.mcp_path = path;
        config.loopback_guard = loopback;
        config.limits = options.limits;
        auto slot = std::make_shared<host::AuthSlot>(auth);
        config.auth = slot;
        std::unique_ptr<host::AuthReloader> reloader;
        if (!impl_->auth) reloader = std::make_unique<host::AuthReloader>(source, slot, auth_label);
        if (auth) {
            // A plain token verifier (StaticTokenVerifier without BASE_URL) is valid, as in
            // FastMCP: its 401 challenges just carry no resource_metadata, so clients can't
            // discover an AS.
            if (slot->pin()->metadata_url.empty())
                host::log_message(
                    FASTMCP_LOG_WARNING,
                    "the auth provider publishes no protected-resource metadata (set its "
                    "BASE_URL): "
                    "401 challenges carry no resource_metadata, so MCP clients can't discover an "
                    "authorization server");
        }
        const bool auth_on = auth != nullptr;
        auth.reset(); // the slot owns it now, so a reload can release it
        config.dispatcher = std::make_shared<host::Dispatcher>(
            impl_->info,
            host::Catalog{impl_->tools, impl_->resources, impl_->resource_templates,
                          impl_->prompts},
            options.limits.max_json_depth);
        if (options.stateful || !stateless_from_environment(options.env_file)) {
            host::SessionLimits session_limits;
            session_limits.max_sessions = static_cast<size_t>(options.limits.max_sessions);
            session_limits.idle_timeout_ms = options.limits.session_idle_timeout_ms;
            config.sessions = std::make_shared<host::SessionStore>(session_limits);
            std::lock_guard lock(impl_->sessions_mutex);
            impl_->sessions = config.sessions;
        }
        config.inline_work = std::getenv("FASTMCP_NO_INLINE") == nullptr; // bench: measure the pool

        std::unique_ptr<host::HttpServer> server;
        try {
            server =
                std::make_unique<host::HttpServer>(options.host, options.port, options.limits,
                                                   std::make_shared<host::McpHttpHandler>(config));
        } catch (const std::exception &e) {
            throw StartupError("cannot listen on " + options.host + ":" +
                               std::to_string(options.port) + ": " + e.what());
        }
        server->start();
        std::unique_ptr<host::HttpServer> admin;
        if (options.admin_port >= 0) {
            ServerLimits admin_limits; // probes and scrapes: one loop and a few threads
            admin_limits.workers = 1;
            admin_limits.max_threads = 2;
            admin_limits.max_queued = 16;
            admin_limits.max_connections = 64;
            // Read at scrape time; `server` outlives `admin` (declared first, destroyed last).
            auto gauges = [main = server.get(), sessions = config.sessions](ops::OpsSources &s) {
                s.open_connections = static_cast<int64_t>(main->open_connections());
                s.sessions = sessions ? static_cast<int64_t>(sessions->size()) : 0;
                const host::ReloadStats reloads = host::reload_stats();
                s.reloads_succeeded = reloads.succeeded;
                s.reloads_failed = reloads.failed;
            };
            try {
                admin = std::make_unique<host::HttpServer>(
                    options.admin_host, options.admin_port, admin_limits,
                    std::make_shared<ops::AdminHandler>(slot, gauges));
            } catch (const std::exception &e) {
                server->drain(0);
                throw StartupError("cannot listen on " + options.admin_host + ":" +
                                   std::to_string(options.admin_port) +
                                   " (--admin-port): " + e.what());
            }
            admin->start();
            if (options.print_ready_line) {
                std::fprintf(stdout, "Admin on http://%s:%d\n",
                             url_host(options.admin_host).c_str(), admin->port());
                std::fflush(stdout);
            }
        }
        const std::string url =
            "http://" + url_host(options.host) + ":" + std::to_string(server->port()) + path;
        if (options.print_ready_line) {
            std::fprintf(stdout, "Listening on %s\n", url.c_str());
            std::fflush(stdout);
        }
        host::log_message(FASTMCP_LOG_INFO,
                          "serving " + impl_->info.name + " (" +
                              std::to_string(impl_->tools.size()) + " tools) on " + url +
                              (auth_on ? " with auth" : "") +
                              (config.sessions ? ", stateful (sessions)" : ", stateless") + "; " +
                              std::to_string(server->workers()) + " event loop(s), at most " +
                              std::to_string(server->max_connections()) + " connections");
        if (options.on_ready) options.on_ready(url);

        for (;;) {
            {
                std::unique_lock lock(impl_->mutex);
                if (impl_->wake.wait_for(
                        lock, std::chrono::milliseconds(options.handle_signals ? 0 : 200),
                        [&] { return impl_->stop_requested; }))
                    break;
            }
            if (options.handle_signals) {
                timespec wait{0, 200 * 1000 * 1000};
                int sig = sigtimedwait(&signals, nullptr, &wait);
                if (sig == SIGINT || sig == SIGTERM) {
                    host::log_message(FASTMCP_LOG_INFO, std::string("received ") +
                                                            (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                                            ", draining in-flight requests");
                    break;
                }
                if (sig == SIGHUP) {
                    if (reloader)
                        reloader->reload();
                    else
                        host::log_message(FASTMCP_LOG_WARNING,
                                          "SIGHUP ignored: the auth backend was set by the "
                                          "application, not by FASTMCP_SERVER_AUTH");
                }
            }
            // Replaced providers die here, once their last request let go: off the event loops.
            slot->collect();
        }
        ops::set_draining(true); // /readyz on the admin port says 503 "draining" from now on
        const bool drained = server->drain(options.limits.drain_timeout_ms);
        if (admin) admin->drain(1000);
        ops::set_draining(false);
        host::log_message(drained ? FASTMCP_LOG_INFO : FASTMCP_LOG_WARNING,
                          drained ? "stopped"
                                  : "stopped with requests still running after the drain timeout");
        {
            std::lock_guard lock(impl_->mutex);
            impl_->stop_requested = false;
        }
        return 0;
    } catch (const StartupError &e) {
        std::fprintf(stderr, "fastmcp: %s\n", e.what());
        return 2;
    }
}

} // namespace fastmcp
