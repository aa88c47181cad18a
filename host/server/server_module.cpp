#include "server_module.hpp"

#include "host_services.hpp"
#include "request_context.hpp"

#include "../mcp/call_context.hpp"

#include "fastmcp/env/environment.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>
#include <deque>
#include <optional>
#include <unistd.h> // environ

namespace fastmcp::host {
namespace {

std::string_view view(fastmcp_str s) { return {s.data ? s.data : "", s.size}; }

// Whether a struct from the module (struct_size first) is large enough to hold `field`.
#define FASTMCP_HAS_FIELD(ptr, type, field)                                                        \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)nullptr)->field))

std::string str(const char *s) { return s ? s : ""; }

std::vector<std::string> scopes_of(const char *const *scopes, size_t count) {
    std::vector<std::string> out;
    for (size_t i = 0; scopes && i < count; ++i)
        if (scopes[i] && *scopes[i]) out.emplace_back(scopes[i]);
    return out;
}

nlohmann::json parse_object(const char *text, const std::string &what) {
    if (!text) return nullptr;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) throw std::invalid_argument(what + " is not a JSON object");
    return j;
}

// The state of one handler call (tool, resource, prompt, completion) on this thread, so
// get_access_token(), sample() and elicit() can lend views that stay valid until it returns.
struct CallContext {
    ToolResult result;
    bool responded = false;
    std::shared_ptr<const AccessToken> token;
    std::vector<fastmcp_str> scopes;
    std::deque<std::string> answers; // sample/elicit results lent to the module
};
thread_local CallContext *t_call = nullptr;

struct CallFrame {
    CallContext &call;
    CallContext *previous;
    explicit CallFrame(CallContext &c) : call(c), previous(t_call) {
        call.token = get_access_token();
        t_call = &call;
    }
    ~CallFrame() { t_call = previous; }
};

int client_request(std::string_view method, nlohmann::json params, std::string_view capability,
                   uint32_t timeout_ms, fastmcp_client_result *out) {
    ClientAnswer answer;
    if (!t_call)
        answer.body = {{"message", "not inside a handler"}};
    else
        answer = call_client(method, std::move(params), capability,
                             std::chrono::milliseconds(timeout_ms ? timeout_ms : 60000));
    if (out &&
        out->struct_size >= offsetof(fastmcp_client_result, result_json) + sizeof(fastmcp_str)) {
        out->status = answer.status;
        if (t_call) {
            t_call->answers.push_back(
                answer.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            out->result_json = {t_call->answers.back().data(), t_call->answers.back().size()};
        } else {
            out->result_json = {"", 0};
        }
    }
    return answer.status;
}

// Completion through a module callback.
CompletionHandler completion_of(fastmcp_completion_fn fn, void *user, std::shared_ptr<void> keep) {
    if (!fn) return {};
    return [fn, user, keep](const std::string &name, const std::string &value,
                            const nlohmann::json &context) {
        struct Out {
            bool responded = false;
            Completion completion;
            int error = 0;
            std::string message;
        } out;
        CallContext call;
        CallFrame frame(call);
        const std::string context_json = context.dump();
        fn(
            user, {name.data(), name.size()}, {value.data(), value.size()},
            {context_json.data(), context_json.size()},
            [](void *ctx, const fastmcp_completion_result *r) {
                auto *o = static_cast<Out *>(ctx);
                if (o->responded || !r) return;
                o->responded = true;
                if (FASTMCP_HAS_FIELD(r, fastmcp_completion_result, error_message) &&
                    r->error_code) {
                    o->error = r->error_code;
                    o->message = std::string(view(r->error_message));
                    return;
                }
                for (size_t i = 0; r->values && i < r->value_count; ++i)
                    o->completion.values.emplace_back(view(r->values[i]));
                o->completion.total = r->total;
                o->completion.has_more = r->has_more != 0;
            },
            &out);
        if (out.error)
            throw McpError(out.error, out.message.empty() ? "completion failed" : out.message);
        return std::move(out.completion);
    };
}

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

int log_message_c(void *, int level, const char *data, size_t data_size, const char *logger,
                  size_t logger_size) {
    if (!data || level < 0 || level > 7) return 0;
    auto value = nlohmann::json::parse(std::string_view(data, data_size), nullptr, false);
    if (value.is_discarded()) value = std::string(data, data_size); // a plain message
    return call_log(level, std::move(value),
                    logger ? std::string_view(logger, logger_size) : std::string_view())
               ? 1
               : 0;
}

int report_progress_c(void *, double progress, double total, const char *message,
                      size_t message_size) {
    return call_progress(progress, total,
                         message ? std::string_view(message, message_size) : std::string_view())
               ? 1
               : 0;
}

int is_cancelled_c(void *) { return call_cancelled() ? 1 : 0; }

int sample_c(void *, const char *params_json, size_t params_size, uint32_t timeout_ms,
             fastmcp_client_result *out) {
    auto params = nlohmann::json::parse(
        std::string_view(params_json ? params_json : "", params_size), nullptr, false);
    if (!params.is_object()) {
        if (out && FASTMCP_HAS_FIELD(out, fastmcp_client_result, result_json)) {
            out->status = FASTMCP_CLIENT_UNSUPPORTED;
            out->result_json = {"", 0};
        }
        return FASTMCP_CLIENT_UNSUPPORTED;
    }
    return client_request("sampling/createMessage", std::move(params), "sampling", timeout_ms, out);
}

int elicit_c(void *, const char *message, size_t message_size, const char *schema_json,
             size_t schema_size, uint32_t timeout_ms, fastmcp_client_result *out) {
    auto schema = nlohmann::json::parse(
        std::string_view(schema_json ? schema_json : "", schema_size), nullptr, false);
    if (!schema.is_object() || !message) {
        if (out && FASTMCP_HAS_FIELD(out, fastmcp_client_result, result_json)) {
            out->status = FASTMCP_CLIENT_UNSUPPORTED;
            out->result_json = {"", 0};
        }
        return FASTMCP_CLIENT_UNSUPPORTED;
    }
    nlohmann::json params = {{"message", std::string(message, message_size)},
                             {"requestedSchema", std::move(schema)}};
    return client_request("elicitation/create", std::move(params), "elicitation", timeout_ms, out);
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
            Tool t;
            t.name = tool->name;
            t.description = str(tool->description);
            t.input_schema = tool->input_schema_json
                                 ? parse_object(tool->input_schema_json, "the input schema")
                                 : nlohmann::json{{"type", "object"}};
            if (FASTMCP_HAS_FIELD(tool, fastmcp_tool_desc, required_scope_count)) {
                t.title = str(tool->title);
                t.annotations = parse_object(tool->annotations_json, "annotations");
                t.output_schema = parse_object(tool->output_schema_json, "the output schema");
                t.required_scopes = scopes_of(tool->required_scopes, tool->required_scope_count);
            }
            t.handler = [keep, handler, user,
                         name = std::string(tool->name)](const nlohmann::json &args) {
                CallContext call;
                std::string args_json =
                    args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                int rc;
                {
                    CallFrame frame(call);
                    rc = handler(user, {args_json.data(), args_json.size()}, respond, &call);
                }
                if (!call.responded) return ToolResult::error("tool " + name + " gave no result");
                if (rc != 0) call.result.is_error = true;
                return std::move(call.result);
            };
            self->target_->tool(std::move(t));
        } catch (const std::exception &e) {
            self->error_ = std::string("add_tool ") + tool->name + ": " + e.what();
            return 1;
        }
        return 0;
    };
    host_.add_resource = [](void *ctx, const fastmcp_resource_desc *r) -> int {
        return static_cast<ServerModule *>(ctx)->add_resource(r, false);
    };
    host_.add_resource_template = [](void *ctx, const fastmcp_resource_desc *r) -> int {
        return static_cast<ServerModule *>(ctx)->add_resource(r, true);
    };
    host_.add_prompt = [](void *ctx, const fastmcp_prompt_desc *p) -> int {
        return static_cast<ServerModule *>(ctx)->add_prompt(p);
    };
    host_.log_message = log_message_c;
    host_.report_progress = report_progress_c;
    host_.is_cancelled = is_cancelled_c;
    host_.sample = sample_c;
    host_.elicit = elicit_c;
    host_.notify_resource_updated = [](void *ctx, const char *uri, size_t uri_size) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        return uri && self->target_
                   ? self->target_->notify_resource_updated(std::string(uri, uri_size))
                   : 0;
    };
    host_.notify_resource_list_changed = [](void *ctx) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        return self->target_
                   ? self->target_->notify_list_changed("notifications/resources/list_changed")
                   : 0;
    };
    host_.notify_tool_list_changed = [](void *ctx) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        return self->target_
                   ? self->target_->notify_list_changed("notifications/tools/list_changed")
                   : 0;
    };
    host_.notify_prompt_list_changed = [](void *ctx) -> int {
        auto *self = static_cast<ServerModule *>(ctx);
        return self->target_
                   ? self->target_->notify_list_changed("notifications/prompts/list_changed")
                   : 0;
    };
    int rc = desc_->register_tools(&host_);
    if (rc != 0 || !error_.empty())
        throw StartupError("server module " + path_ + ": register_tools failed" + (error_.empty() ? "" : ": " + error_));
}

int ServerModule::add_resource(const fastmcp_resource_desc *r, bool is_template) {
    const char *kind = is_template ? "add_resource_template" : "add_resource";
    if (!r || !FASTMCP_HAS_FIELD(r, fastmcp_resource_desc, required_scope_count) || !r->uri ||
        !r->name || !r->handler) {
        error_ = std::string(kind) +
                 ": a resource without a uri, name or handler (or an old struct_size)";
        return 1;
    }
    const fastmcp_resource_fn handler = r->handler;
    void *user = r->user;
    std::shared_ptr<void> keep = shared_from_this();
    try {
        Resource res;
        res.uri = r->uri;
        res.name = r->name;
        res.title = str(r->title);
        res.description = str(r->description);
        res.mime_type = str(r->mime_type);
        res.required_scopes = scopes_of(r->required_scopes, r->required_scope_count);
        if (FASTMCP_HAS_FIELD(r, fastmcp_resource_desc, complete))
            res.complete = completion_of(r->complete, user, keep);
        if (FASTMCP_HAS_FIELD(r, fastmcp_resource_desc, annotations_json))
            res.annotations = parse_object(r->annotations_json, "annotations");
        res.handler = [keep, handler, user, uri_name = res.uri](const std::string &uri,
                                                                const nlohmann::json &vars) {
            struct Out {
                bool responded = false;
                std::vector<ResourceContent> contents;
                int error = 0;
                std::string message;
            } out;
            CallContext call;
            const std::string vars_json =
                vars.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            {
                CallFrame frame(call);
                handler(
                    user, {uri.data(), uri.size()}, {vars_json.data(), vars_json.size()},
                    [](void *ctx, const fastmcp_resource_result *res) {
                        auto *o = static_cast<Out *>(ctx);
                        if (o->responded || !res) return;
                        o->responded = true;
                        if (FASTMCP_HAS_FIELD(res, fastmcp_resource_result, error_message) &&
                            res->error_code) {
                            o->error = res->error_code;
                            o->message = std::string(view(res->error_message));
                            return;
                        }
                        for (size_t i = 0; res->contents && i < res->content_count; ++i) {
                            const fastmcp_resource_content &c = res->contents[i];
                            o->contents.push_back({std::string(view(c.uri)),
                                                   std::string(view(c.mime_type)),
                                                   std::string(view(c.data)), c.is_blob != 0});
                        }
                    },
                    &out);
            }
            if (!out.responded)
                throw McpError(-32603, "resource " + uri_name + " gave no contents");
            if (out.error)
                throw McpError(out.error,
                               out.message.empty() ? "resource read failed" : out.message);
            return std::move(out.contents);
        };
        if (is_template)
            target_->resource_template(std::move(res));
        else
            target_->resource(std::move(res));
    } catch (const std::exception &e) {
        error_ = std::string(kind) + " " + r->uri + ": " + e.what();
        return 1;
    }
    return 0;
}

int ServerModule::add_prompt(const fastmcp_prompt_desc *p) {
    if (!p || !FASTMCP_HAS_FIELD(p, fastmcp_prompt_desc, complete) || !p->name || !p->handler) {
        error_ = "add_prompt: a prompt without a name or handler (or an old struct_size)";
        return 1;
    }
    const fastmcp_prompt_fn handler = p->handler;
    void *user = p->user;
    std::shared_ptr<void> keep = shared_from_this();
    try {
        Prompt prompt;
        prompt.name = p->name;
        prompt.title = str(p->title);
        prompt.description = str(p->description);
        prompt.required_scopes = scopes_of(p->required_scopes, p->required_scope_count);
        prompt.complete = completion_of(p->complete, user, keep);
        for (size_t i = 0; p->arguments && i < p->argument_count; ++i) {
            const fastmcp_prompt_argument &a = p->arguments[i];
            if (!a.name) throw std::invalid_argument("an argument without a name");
            PromptArgument arg{a.name, {}, str(a.description), a.required != 0};
            if (FASTMCP_HAS_FIELD(&a, fastmcp_prompt_argument, title)) arg.title = str(a.title);
            prompt.arguments.push_back(std::move(arg));
        }
        prompt.handler = [keep, handler, user, name = prompt.name](const nlohmann::json &args) {
            struct Out {
                bool responded = false;
                PromptResult result;
                int error = 0;
                std::string message;
            } out;
            CallContext call;
            const std::string args_json =
                args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            {
                CallFrame frame(call);
                handler(
                    user, {args_json.data(), args_json.size()},
                    [](void *ctx, const fastmcp_prompt_result *r) {
                        auto *o = static_cast<Out *>(ctx);
                        if (o->responded || !r) return;
                        o->responded = true;
                        if (FASTMCP_HAS_FIELD(r, fastmcp_prompt_result, error_message) &&
                            r->error_code) {
                            o->error = r->error_code;
                            o->message = std::string(view(r->error_message));
                            return;
                        }
                        o->result.description = std::string(view(r->description));
                        auto messages =
                            nlohmann::json::parse(view(r->messages_json), nullptr, false);
                        if (!messages.is_array()) {
                            o->error = -32603;
                            o->message = "the prompt's messages are not a JSON array";
                            return;
                        }
                        o->result.messages = std::move(messages);
                    },
                    &out);
            }
            if (!out.responded) throw McpError(-32603, "prompt " + name + " gave no messages");
            if (out.error)
                throw McpError(out.error, out.message.empty() ? "prompt failed" : out.message);
            return std::move(out.result);
        };
        target_->prompt(std::move(prompt));
    } catch (const std::exception &e) {
        error_ = std::string("add_prompt ") + p->name + ": " + e.what();
        return 1;
    }
    return 0;
}

} // namespace fastmcp::host
