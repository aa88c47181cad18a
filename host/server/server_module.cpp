#include "server_module.hpp"

#include "host_services.hpp"
#include "request_context.hpp"

#include "fastmcp/env/environment.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>
#include <optional>
#include <unistd.h> // environ

namespace fastmcp::host {
namespace {

std::string_view view(fastmcp_str s) { return {s.data ? s.data : "", s.size}; }

// The state of one tools/call on this thread, so get_access_token() can lend stable views.
struct CallContext {
    ToolResult result;
    bool responded = false;
    std::shared_ptr<const AccessToken> token;
    std::vector<fastmcp_str> scopes;
};
thread_local CallContext *t_call = nullptr;

void respond(void *ctx, const fastmcp_tool_result *r) {
    auto *call = static_cast<CallContext *>(ctx);
    if (call->responded || !r) return;
    call->responded = true;
    ToolResult out;
    out.is_error = r->is_error != 0;
    if (r->content_json.size) {
        auto content = nlohmann::json::parse(view(r->content_json), nullptr, false);
        if (!content.is_array()) {
            call->result = ToolResult::error("the tool returned content that is not a JSON array");
            return;
        }
        out.content = std::move(content);
    } else {
        out.add_text(std::string(view(r->text)));
    }
    if (r->struct_size >= offsetof(fastmcp_tool_result, structured_json) + sizeof(fastmcp_str) &&
        r->structured_json.size) {
        auto structured = nlohmann::json::parse(view(r->structured_json), nullptr, false);
        if (structured.is_object()) out.structured = std::move(structured);
    }
    call->result = std::move(out);
}

int get_access_token_c(void *, fastmcp_token_view *out) {
    if (!out || !t_call || !t_call->token) return 0;
    const AccessToken &t = *t_call->token;
    if (t_call->scopes.empty())
        for (const auto &s : t.scopes) t_call->scopes.push_back({s.data(), s.size()});
    fastmcp_token_view v{};
    v.struct_size = out->struct_size;
    v.token = {t.token.data(), t.token.size()};
    v.subject = {t.subject.data(), t.subject.size()};
    v.client_id = {t.client_id.data(), t.client_id.size()};
    v.issuer = {t.issuer.data(), t.issuer.size()};
    v.scopes = t_call->scopes.data();
    v.scope_count = t_call->scopes.size();
    v.expires_at = t.expires_at;
    v.claims_json = {t.claims_json.data(), t.claims_json.size()};
    std::memcpy(out, &v, std::min<size_t>(out->struct_size, sizeof v));
    return 1;
}

void log_c(void *, int level, const char *message, size_t size) {
    log_message(static_cast<fastmcp_log_level>(level), std::string_view(message, size));
}

} // namespace

std::shared_ptr<ServerModule> ServerModule::open(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw StartupError("server module " + path + ": no such file");
    void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *err = ::dlerror();
        throw StartupError("server module " + path + ": dlopen failed: " + (err ? err : "unknown error"));
    }
    auto fail = [&](const std::string &message) {
        ::dlclose(handle);
        throw StartupError("server module " + path + ": " + message);
    };
    void *sym = ::dlsym(handle, FASTMCP_SERVER_MODULE_ENTRY_SYMBOL);
    if (!sym) fail(std::string("no ") + FASTMCP_SERVER_MODULE_ENTRY_SYMBOL + " symbol (is it a server module?)");
    auto entry = reinterpret_cast<fastmcp_server_module_fn>(sym);
    const fastmcp_server_module *desc = entry();
    if (!desc) fail("the entry point returned no descriptor");
    if (desc->abi_major != FASTMCP_SERVER_MODULE_ABI_MAJOR)
        fail("built for server module ABI " + std::to_string(desc->abi_major) + "." + std::to_string(desc->abi_minor) +
             ", this host speaks " + std::to_string(FASTMCP_SERVER_MODULE_ABI_MAJOR) + "." +
             std::to_string(FASTMCP_SERVER_MODULE_ABI_MINOR));
    if (desc->struct_size < offsetof(fastmcp_server_module, register_tools) + sizeof(void *) || !desc->register_tools ||
        !desc->name)
        fail("bad descriptor (struct_size, name or register_tools)");
    return std::shared_ptr<ServerModule>(new ServerModule(path, handle, desc));
}

ServerModule::ServerModule(std::string path, void *handle, const fastmcp_server_module *desc)
    : path_(std::move(path)), handle_(handle), desc_(desc) {}

ServerModule::~ServerModule() {
    if (handle_) ::dlclose(handle_);
}

std::string ServerModule::name() const { return desc_->name; }
std::string ServerModule::version() const { return desc_->version ? desc_->version : "0.0.0"; }
std::string ServerModule::instructions() const {
    if (desc_->struct_size < offsetof(fastmcp_server_module, instructions) + sizeof(const char *) || !desc_->instructions)
        return {};
    return desc_->instructions;
}

void ServerModule::register_tools(Server &server, const std::string &env_file) {
    target_ = &server;
    // The same lookup the auth provider gets. A broken .env file is reported (and stops the server)
    // by the auth configuration that reads it next; until then modules see the process env only.
    try {
        const auto environment =
            env::Environment::from_process(env_file.empty() ? std::nullopt : std::optional<std::string>(env_file));
        for (auto &v : environment.with_prefix("")) env_[v.name] = std::move(v.value);
    } catch (const std::exception &) {
        for (char **e = environ; *e; ++e)
            if (const char *eq = std::strchr(*e, '='))
                env_.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
    }
    host_.struct_size = sizeof host_;
    host_.get_env = [](void *ctx, const char *name, size_t name_size, fastmcp_str *out) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        if (!name || !out) return 0;
        const auto it = self->env_.find(std::string_view(name, name_size));
        if (it == self->env_.end()) return 0;
        *out = {it->second.data(), it->second.size()};
        return 1;
    };
    host_.notify = [](void *, const char *method, size_t method_size, const char *params,
                      size_t params_size) -> int {
        RequestChannel *channel = current_request_channel();
        if (!channel || !method) return 0;
        nlohmann::json message = {{"jsonrpc", "2.0"}, {"method", std::string(method, method_size)}};
        if (params && params_size) {
            auto p = nlohmann::json::parse(std::string_view(params, params_size), nullptr, false);
            if (!p.is_object()) return 0;
            message["params"] = std::move(p);
        }
        return channel->notify(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) ? 1 : 0;
    };
    host_.close_sse_stream = [](void *) -> int {
        RequestChannel *channel = current_request_channel();
        return channel && channel->close_stream() ? 1 : 0;
    };
    host_.ctx = this;
    host_.log = log_c;
    host_.get_access_token = get_access_token_c;
    host_.add_tool = [](void *ctx, const fastmcp_tool_desc *tool) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        if (!tool || !tool->name || !tool->handler) {
            self->error_ = "add_tool: a tool without a name or handler";
            return 1;
        }
        const fastmcp_tool_fn handler = tool->handler;
        void *user = tool->user;
        std::shared_ptr<ServerModule> keep = self->shared_from_this();
        try {
            self->target_->tool(
                tool->name, tool->description ? tool->description : "",
                tool->input_schema_json ? tool->input_schema_json : R"({"type":"object"})",
                [keep, handler, user, name = std::string(tool->name)](const nlohmann::json &args) {
                    CallContext call;
                    call.token = get_access_token();
                    std::string args_json = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                    CallContext *previous = t_call;
                    t_call = &call;
                    int rc = handler(user, {args_json.data(), args_json.size()}, respond, &call);
                    t_call = previous;
                    if (!call.responded) return ToolResult::error("tool " + name + " gave no result");
                    if (rc != 0) call.result.is_error = true;
                    return std::move(call.result);
                });
        } catch (const std::exception &e) {
            self->error_ = std::string("add_tool ") + tool->name + ": " + e.what();
            return 1;
        }
        return 0;
    };
    int rc = desc_->register_tools(&host_);
    if (rc != 0 || !error_.empty())
        throw StartupError("server module " + path_ + ": register_tools failed" + (error_.empty() ? "" : ": " + error_));
}

} // namespace fastmcp::host
