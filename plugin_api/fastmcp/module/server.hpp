// The registration side: Server collects tools, resources, resource templates and prompts (each a
// lambda plus a few chained settings), then install() hands them to the host through the C ABI.
// The thunks here are the only code the host calls: every exception stops in them, and every
// tool call gets exactly one answer (a handler that answers nothing gets an error result).
#pragma once

#include "fastmcp/module/args.hpp"
#include "fastmcp/module/context.hpp"
#include "fastmcp/module/errors.hpp"
#include "fastmcp/module/handler_call.hpp"
#include "fastmcp/module/host.hpp"
#include "fastmcp/module/prompt_result.hpp"
#include "fastmcp/module/resource_result.hpp"
#include "fastmcp/module/tool_result.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace fastmcp::module {

// A tool's answer, sent at most once (later sends are ignored and return false).
class Reply {
  public:
    Reply(fastmcp_tool_respond_fn respond, void *respond_ctx)
        : respond_(respond), ctx_(respond_ctx) {}
    Reply(const Reply &) = delete;
    Reply &operator=(const Reply &) = delete;

    bool send(const ToolResult &result) {
        if (sent_ || !respond_) return false;
        const auto dump = [](const nlohmann::json &j) {
            return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        };
        const std::string content =
            dump(result.content.is_array() ? result.content : nlohmann::json::array());
        const std::string structured =
            result.structured.is_object() ? dump(result.structured) : std::string();
        fastmcp_tool_result r{};
        r.struct_size = sizeof r;
        r.is_error = result.is_error ? 1 : 0;
        r.content_json = str(content);
        r.structured_json = str(structured);
        sent_ = true;
        respond_(ctx_, &r);
        return true;
    }
    bool sent() const { return sent_; }

  private:
    fastmcp_tool_respond_fn respond_;
    void *ctx_;
    bool sent_ = false;
};

// What a resource handler is asked: the URI read and, for a template, its variables (strings).
struct ResourceRequest {
    std::string_view uri;
    Args variables;
};

namespace detail {

inline std::string dump(const nlohmann::json &j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline nlohmann::json parse_object(std::string_view text, const std::string &what) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) throw std::invalid_argument(what + " is not a JSON object");
    return j;
}

inline std::vector<const char *> c_strings(const std::vector<std::string> &v) {
    std::vector<const char *> out;
    out.reserve(v.size());
    for (const auto &s : v)
        out.push_back(s.c_str());
    return out;
}

inline const char *or_null(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }

template <class R> ToolResult to_tool_result(R &&r) {
    using T = std::decay_t<R>;
    if constexpr (std::is_same_v<T, ToolResult>)
        return std::forward<R>(r);
    else if constexpr (std::is_same_v<T, nlohmann::json>)
        return r.is_object()   ? ToolResult::structured_content(std::forward<R>(r))
               : r.is_string() ? ToolResult::text(r.template get<std::string>())
                               : ToolResult::text(dump(r));
    else if constexpr (std::is_arithmetic_v<T>)
        return ToolResult::text(dump(nlohmann::json(r)));
    else if constexpr (std::is_convertible_v<R, std::string>)
        return ToolResult::text(std::string(std::forward<R>(r)));
    else if constexpr (std::is_convertible_v<R, std::string_view>)
        return ToolResult::text(std::string(std::string_view(r)));
    else
        static_assert(sizeof(T) == 0,
                      "a tool returns ToolResult, std::string, nlohmann::json, a number or void");
}

template <class R> ResourceContents to_resource_contents(R &&r) {
    using T = std::decay_t<R>;
    if constexpr (std::is_same_v<T, ResourceContents>)
        return std::forward<R>(r);
    else if constexpr (std::is_same_v<T, ResourceContent>)
        return {std::forward<R>(r)};
    else if constexpr (std::is_same_v<T, nlohmann::json>)
        return {ResourceContent::text(dump(r), "application/json")};
    else if constexpr (std::is_convertible_v<R, std::string>)
        return {ResourceContent::text(std::string(std::forward<R>(r)))};
    else
        static_assert(
            sizeof(T) == 0,
            "a resource returns ResourceContents, ResourceContent, std::string or nlohmann::json");
}

template <class R> PromptResult to_prompt_result(R &&r) {
    using T = std::decay_t<R>;
    if constexpr (std::is_same_v<T, PromptResult>)
        return std::forward<R>(r);
    else if constexpr (std::is_same_v<T, std::vector<PromptMessage>>)
        return {{}, std::forward<R>(r)};
    else if constexpr (std::is_same_v<T, PromptMessage>)
        return {{}, {std::forward<R>(r)}};
    else if constexpr (std::is_convertible_v<R, std::string>)
        return {{}, {PromptMessage::user(std::string(std::forward<R>(r)))}};
    else
        static_assert(sizeof(T) == 0,
                      "a prompt returns PromptResult, PromptMessage(s) or std::string");
}

template <class R> Completion to_completion(R &&r) {
    using T = std::decay_t<R>;
    if constexpr (std::is_same_v<T, Completion>)
        return std::forward<R>(r);
    else if constexpr (std::is_same_v<T, std::vector<std::string>>)
        return {std::forward<R>(r)};
    else
        static_assert(sizeof(T) == 0,
                      "a completion returns Completion or std::vector<std::string>");
}

using Completer = std::function<Completion(const std::string &argument, const std::string &value,
                                           const Args &context)>;

template <class F> Completer make_completer(F f) {
    return [f = std::move(f)](const std::string &argument, const std::string &value,
                              const Args &context) mutable {
        if constexpr (std::is_invocable_v<F &, const std::string &, const std::string &,
                                          const Args &>)
            return to_completion(f(argument, value, context));
        else {
            static_assert(std::is_invocable_v<F &, const std::string &, const std::string &>,
                          "a completion handler takes (argument, value[, const Args &context])");
            return to_completion(f(argument, value));
        }
    };
}

// JSON-RPC error code and message for an exception from a resource, prompt or completion handler.
inline std::pair<int, std::string> rpc_error(std::exception_ptr e, const std::string &what,
                                             bool mask) {
    try {
        std::rethrow_exception(e);
    } catch (const RpcError &x) {
        return {x.code, x.what()};
    } catch (const ArgumentError &x) {
        return {FASTMCP_ERROR_INVALID_PARAMS, x.what()};
    } catch (const ToolError &x) {
        return {FASTMCP_ERROR_INTERNAL, x.what()};
    } catch (const std::exception &x) {
        return {FASTMCP_ERROR_INTERNAL, mask ? what + " failed" : what + " failed: " + x.what()};
    } catch (...) {
        return {FASTMCP_ERROR_INTERNAL, what + " failed"};
    }
}

} // namespace detail

class Server;

namespace detail {

struct Entry {
    const Server *server = nullptr;
    std::vector<std::string> scopes;
    std::vector<const char *> scope_ptrs; // built by install()
};

struct ToolEntry : Entry {
    std::string name, description, title;
    nlohmann::json input_schema = {{"type", "object"}};
    nlohmann::json annotations, output_schema; // null = none
    std::function<void(const Args &, Context &, Reply &)> handler;
    std::string input_schema_json, annotations_json, output_schema_json; // built by install()
    bool check_scopes_here = false; // a host older than 1.3 does not read required scopes
};

struct ResourceEntry : Entry {
    bool is_template = false;
    std::string uri, name, title, description, mime_type;
    nlohmann::json annotations;
    std::function<ResourceContents(const ResourceRequest &, Context &)> handler;
    Completer complete;
    std::string annotations_json;
};

struct PromptArgument {
    std::string name, description, title;
    bool required = false;
};

struct PromptEntry : Entry {
    std::string name, title, description;
    std::vector<PromptArgument> arguments;
    std::function<PromptResult(const Args &, Context &)> handler;
    Completer complete;
    std::vector<fastmcp_prompt_argument> c_arguments;
};

struct Thunks;

} // namespace detail

// The settings every tool, resource and prompt has, chained: .title("..").scopes({...}).
template <class Self, class EntryT> class Settings {
  public:
    Self &title(std::string t) {
        e_->title = std::move(t);
        return self();
    }
    Self &description(std::string d) {
        e_->description = std::move(d);
        return self();
    }
    // The caller's token must hold every one of these: the host lists the item only to such a
    // caller and answers anyone else 403 insufficient_scope (step-up).
    Self &scopes(std::vector<std::string> s) {
        e_->scopes = std::move(s);
        return self();
    }

  protected:
    explicit Settings(EntryT &e) : e_(&e) {}
    Self &self() { return static_cast<Self &>(*this); }
    EntryT *e_;
};

// server.tool(...).argument("a", "number").output_schema({...})
class Tool : public Settings<Tool, detail::ToolEntry> {
  public:
    explicit Tool(detail::ToolEntry &e) : Settings(e) {}
    Tool &input_schema(nlohmann::json schema) {
        if (!schema.is_object())
            throw std::invalid_argument("tool " + e_->name + ": inputSchema is not a JSON object");
        e_->input_schema = std::move(schema);
        return *this;
    }
    Tool &input_schema(const char *schema) { // JSON text (a raw string literal, say)
        return input_schema(detail::parse_object(schema, "tool " + e_->name + ": inputSchema"));
    }
    // Adds one property to the input schema: `type` is a JSON Schema type ("string", "number"...).
    Tool &argument(const std::string &name, const std::string &type,
                   const std::string &description = {}, bool required = true) {
        nlohmann::json &p = e_->input_schema["properties"][name];
        p["type"] = type;
        if (!description.empty()) p["description"] = description;
        if (required) e_->input_schema["required"].push_back(name);
        return *this;
    }
    Tool &annotations(nlohmann::json a) {
        e_->annotations = std::move(a);
        return *this;
    }
    Tool &output_schema(nlohmann::json schema) {
        if (!schema.is_object())
            throw std::invalid_argument("tool " + e_->name + ": outputSchema is not a JSON object");
        e_->output_schema = std::move(schema);
        return *this;
    }
};

class Resource : public Settings<Resource, detail::ResourceEntry> {
  public:
    explicit Resource(detail::ResourceEntry &e) : Settings(e) {}
    Resource &mime_type(std::string m) {
        e_->mime_type = std::move(m);
        return *this;
    }
    Resource &annotations(nlohmann::json a) {
        e_->annotations = std::move(a);
        return *this;
    }
    // Templates only: completes a variable, (variable, partial value[, const Args &context]).
    template <class F> Resource &complete(F f) {
        if (!e_->is_template)
            throw std::invalid_argument("resource " + e_->uri + ": completion needs a template");
        e_->complete = detail::make_completer(std::move(f));
        return *this;
    }
};

class Prompt : public Settings<Prompt, detail::PromptEntry> {
  public:
    explicit Prompt(detail::PromptEntry &e) : Settings(e) {}
    Prompt &argument(std::string name, std::string description = {}, bool required = true) {
        e_->arguments.push_back({std::move(name), std::move(description), {}, required});
        return *this;
    }
    // Completes an argument, (argument, partial value[, const Args &context]).
    template <class F> Prompt &complete(F f) {
        e_->complete = detail::make_completer(std::move(f));
        return *this;
    }
};

class Server : public Host {
  public:
    explicit Server(const fastmcp_server_host *host) : Host(host) {}
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // A tool: handler(const Args&, Context&) (or fewer parameters) returning ToolResult,
    // std::string, nlohmann::json or void; or handler(const Args&, Context&, Reply&) answering
    // through Reply.
    template <class F> Tool tool(std::string name, std::string description, F handler) {
        auto &e = tools_.emplace_back();
        e.server = this;
        e.name = std::move(name);
        e.description = std::move(description);
        e.handler = wrap_tool(std::move(handler));
        return Tool(e);
    }

    // A static resource: handler(const ResourceRequest&, Context&) (or fewer) returning
    // ResourceContents, ResourceContent, std::string or nlohmann::json.
    template <class F> Resource resource(std::string uri, std::string name, F handler) {
        return add_resource(false, std::move(uri), std::move(name), std::move(handler));
    }
    // An RFC 6570 level 1 template ("notes://{id}"); the handler may take const Args& (the
    // variables).
    template <class F>
    Resource resource_template(std::string uri_template, std::string name, F handler) {
        return add_resource(true, std::move(uri_template), std::move(name), std::move(handler));
    }

    // A prompt: handler(const Args&, Context&) (or fewer) returning PromptResult, PromptMessage(s)
    // or std::string (one user message).
    template <class F> Prompt prompt(std::string name, std::string description, F handler) {
        auto &e = prompts_.emplace_back();
        e.server = this;
        e.name = std::move(name);
        e.description = std::move(description);
        e.handler = [h = std::move(handler)](const Args &args, Context &ctx) mutable {
            static_assert(detail::callable_with_v<F, Args>,
                          "a prompt handler takes (const Args&, Context&) or fewer");
            return detail::to_prompt_result(detail::call(h, args, ctx));
        };
        return Prompt(e);
    }

    // Answer "tool X failed" instead of the message of an unexpected exception (a ToolError's
    // message is always sent). The message still goes to the server log.
    void mask_error_details(bool mask) { mask_ = mask; }
    bool masks_error_details() const { return mask_; }

    // Hands everything to the host. 0 on success; else the reason went to the server log.
    int install();

    // What FASTMCP_MODULE's register_tools does: setup(*this), then install(). An exception from
    // setup (a configuration error) is logged and stops the server.
    int run(void (*setup)(Server &)) {
        try {
            setup(*this);
            return install();
        } catch (const std::exception &e) {
            log(FASTMCP_LOG_ERROR, e.what());
        } catch (...) {
            log(FASTMCP_LOG_ERROR, "server module setup failed with an unknown exception");
        }
        return 1;
    }

  private:
    template <class F>
    static std::function<void(const Args &, Context &, Reply &)> wrap_tool(F handler) {
        return [h = std::move(handler)](const Args &args, Context &ctx, Reply &reply) mutable {
            if constexpr (std::is_invocable_v<F &, const Args &, Context &, Reply &>) {
                h(args, ctx, reply);
            } else {
                static_assert(detail::callable_with_v<F, Args>,
                              "a tool handler takes (const Args&, Context&[, Reply&]) or fewer");
                using R = decltype(detail::call(h, args, ctx));
                if constexpr (std::is_void_v<R>) {
                    detail::call(h, args, ctx);
                    reply.send(ToolResult());
                } else {
                    reply.send(detail::to_tool_result(detail::call(h, args, ctx)));
                }
            }
        };
    }

    template <class F>
    Resource add_resource(bool is_template, std::string uri, std::string name, F handler) {
        auto &e = resources_.emplace_back();
        e.server = this;
        e.is_template = is_template;
        e.uri = std::move(uri);
        e.name = std::move(name);
        e.handler = [h = std::move(handler)](const ResourceRequest &req,
                                             Context &ctx) mutable -> ResourceContents {
            if constexpr (detail::accepts_request_v<F, ResourceRequest>)
                return detail::to_resource_contents(detail::call(h, req, ctx));
            else {
                static_assert(detail::callable_with_v<F, Args>,
                              "a resource handler takes (const ResourceRequest&|const Args&, "
                              "Context&) or fewer");
                return detail::to_resource_contents(detail::call(h, req.variables, ctx));
            }
        };
        return Resource(e);
    }

    friend struct detail::Thunks;
    bool mask_ = false;
    std::deque<detail::ToolEntry> tools_;
    std::deque<detail::ResourceEntry> resources_;
    std::deque<detail::PromptEntry> prompts_;
};

namespace detail {

// The C functions the host calls. Nothing thrown gets past them.
struct Thunks {
    static int tool(void *user, fastmcp_str args_json, fastmcp_tool_respond_fn respond,
                    void *respond_ctx) {
        auto &e = *static_cast<ToolEntry *>(user);
        try {
            Reply reply(respond, respond_ctx);
            try {
                auto parsed = args_json.size
                                  ? nlohmann::json::parse(view(args_json), nullptr, false)
                                  : nlohmann::json::object();
                if (parsed.is_null()) parsed = nlohmann::json::object();
                Context ctx(e.server->abi());
                if (!parsed.is_object()) {
                    reply.send(
                        ToolResult::error("tool " + e.name + ": arguments must be a JSON object"));
                } else if (e.check_scopes_here && !holds_scopes(ctx, e.scopes)) {
                    reply.send(ToolResult::error("tool " + e.name +
                                                 " needs scopes the caller's token lacks"));
                } else {
                    const Args args(parsed);
                    e.handler(args, ctx, reply);
                }
            } catch (const ToolError &x) {
                reply.send(ToolResult::error(x.what()));
            } catch (const std::exception &x) {
                e.server->log(FASTMCP_LOG_WARNING, "tool " + e.name + " threw: " + x.what());
                reply.send(ToolResult::error(e.server->masks_error_details()
                                                 ? "tool " + e.name + " failed"
                                                 : "tool " + e.name + " failed: " + x.what()));
            } catch (...) {
                reply.send(ToolResult::error("tool " + e.name + " failed"));
            }
            if (!reply.sent()) reply.send(ToolResult::error("tool " + e.name + " gave no result"));
            return 0;
        } catch (...) {
            return 1; // out of memory while answering: the host answers for us
        }
    }

    static nlohmann::json parse_or_empty(fastmcp_str json) {
        auto j = json.size ? nlohmann::json::parse(view(json), nullptr, false)
                           : nlohmann::json::object();
        return j.is_object() ? j : nlohmann::json::object();
    }

    // Runs fill(result); an exception from it becomes the result's JSON-RPC error instead. Then
    // answers once. What `result` points to must outlive this call (fill's captures).
    template <class Result, class Respond, class Fill>
    static int answer(const Entry &e, const std::string &what, Respond respond, void *respond_ctx,
                      Fill fill) {
        try {
            Result r{};
            r.struct_size = sizeof r;
            std::string message;
            try {
                fill(r);
            } catch (...) {
                auto [code, text] =
                    rpc_error(std::current_exception(), what, e.server->masks_error_details());
                r = Result{};
                r.struct_size = sizeof r;
                r.error_code = code;
                message = std::move(text);
                r.error_message = str(message);
            }
            respond(respond_ctx, &r);
            return 0;
        } catch (...) {
            return 1; // out of memory while answering: the host answers for us
        }
    }

    static int resource(void *user, fastmcp_str uri, fastmcp_str variables_json,
                        fastmcp_resource_respond_fn respond, void *respond_ctx) {
        auto &e = *static_cast<ResourceEntry *>(user);
        ResourceContents contents;
        std::vector<fastmcp_resource_content> c;
        return answer<fastmcp_resource_result>(
            e, "resource " + std::string(view(uri)), respond, respond_ctx,
            [&](fastmcp_resource_result &r) {
                const nlohmann::json vars = parse_or_empty(variables_json);
                Context ctx(e.server->abi());
                contents = e.handler(ResourceRequest{view(uri), Args(vars)}, ctx);
                for (const auto &item : contents) {
                    fastmcp_resource_content out{};
                    out.struct_size = sizeof out;
                    out.uri = str(item.uri);
                    out.mime_type = str(item.mime_type); // empty: the host uses the declared one
                    out.is_blob = item.is_blob ? 1 : 0;
                    out.data = str(item.data);
                    c.push_back(out);
                }
                r.contents = c.data();
                r.content_count = c.size();
            });
    }

    static int prompt(void *user, fastmcp_str args_json, fastmcp_prompt_respond_fn respond,
                      void *respond_ctx) {
        auto &e = *static_cast<PromptEntry *>(user);
        PromptResult result;
        std::string messages_json;
        return answer<fastmcp_prompt_result>(
            e, "prompt " + e.name, respond, respond_ctx, [&](fastmcp_prompt_result &r) {
                auto args = args_json.size ? nlohmann::json::parse(view(args_json), nullptr, false)
                                           : nlohmann::json::object();
                if (!args.is_object())
                    throw ArgumentError("prompt arguments must be a JSON object");
                Context ctx(e.server->abi());
                result = e.handler(Args(args), ctx);
                nlohmann::json messages = nlohmann::json::array();
                for (auto &m : result.messages)
                    messages.push_back({{"role", m.role}, {"content", m.content}});
                messages_json = dump(messages);
                r.description = str(result.description);
                r.messages_json = str(messages_json);
            });
    }

    template <class EntryT>
    static int complete(void *user, fastmcp_str argument, fastmcp_str value,
                        fastmcp_str context_json, fastmcp_completion_respond_fn respond,
                        void *respond_ctx) {
        auto &e = *static_cast<EntryT *>(user);
        Completion result;
        std::vector<fastmcp_str> values;
        return answer<fastmcp_completion_result>(
            e, "completion", respond, respond_ctx, [&](fastmcp_completion_result &r) {
                const nlohmann::json context = parse_or_empty(context_json);
                result = e.complete(std::string(view(argument)), std::string(view(value)),
                                    Args(context));
                constexpr size_t kMax = 100; // the MCP spec's cap per answer
                for (size_t i = 0; i < result.values.size() && i < kMax; ++i)
                    values.push_back(str(result.values[i]));
                r.values = values.data();
                r.value_count = values.size();
                r.has_more = (result.has_more || result.values.size() > kMax) ? 1 : 0;
                r.total = result.total >= 0             ? result.total
                          : result.values.size() > kMax ? static_cast<int64_t>(result.values.size())
                                                        : -1;
            });
    }

    static bool holds_scopes(const Context &ctx, const std::vector<std::string> &scopes) {
        if (scopes.empty()) return true;
        const auto token = ctx.get_access_token();
        if (!token) return false; // fail closed: no token, no scoped tool
        for (const auto &s : scopes)
            if (!token->has_scope(s)) return false;
        return true;
    }
};

} // namespace detail

inline int Server::install() {
    const bool v13 = speaks_1_3();
    const auto refuse = [&](const std::string &why) {
        log(FASTMCP_LOG_ERROR, why);
        return 1;
    };
    for (auto &e : tools_) {
        e.input_schema_json = detail::dump(e.input_schema);
        e.annotations_json = e.annotations.is_null() ? std::string() : detail::dump(e.annotations);
        e.output_schema_json =
            e.output_schema.is_null() ? std::string() : detail::dump(e.output_schema);
        e.scope_ptrs = detail::c_strings(e.scopes);
        e.check_scopes_here = !v13 && !e.scopes.empty();
        fastmcp_tool_desc d{};
        d.struct_size = sizeof d;
        d.name = e.name.c_str();
        d.description = detail::or_null(e.description);
        d.input_schema_json = e.input_schema_json.c_str();
        d.handler = &detail::Thunks::tool;
        d.user = &e;
        d.title = detail::or_null(e.title);
        d.annotations_json = detail::or_null(e.annotations_json);
        d.output_schema_json = detail::or_null(e.output_schema_json);
        d.required_scopes = e.scope_ptrs.empty() ? nullptr : e.scope_ptrs.data();
        d.required_scope_count = e.scope_ptrs.size();
        if (!FASTMCP_MODULE_HOST_HAS(host_, add_tool) || host_->add_tool(host_->ctx, &d) != 0)
            return refuse("the host refused tool " + e.name);
    }
    for (auto &e : resources_) {
        const std::string what = (e.is_template ? "resource template " : "resource ") + e.uri;
        if (!v13) return refuse(what + " needs a host that speaks server module ABI 1.3");
        e.annotations_json = e.annotations.is_null() ? std::string() : detail::dump(e.annotations);
        e.scope_ptrs = detail::c_strings(e.scopes);
        fastmcp_resource_desc d{};
        d.struct_size = sizeof d;
        d.uri = e.uri.c_str();
        d.name = e.name.c_str();
        d.title = detail::or_null(e.title);
        d.description = detail::or_null(e.description);
        d.mime_type = detail::or_null(e.mime_type);
        d.handler = &detail::Thunks::resource;
        d.user = &e;
        d.required_scopes = e.scope_ptrs.empty() ? nullptr : e.scope_ptrs.data();
        d.required_scope_count = e.scope_ptrs.size();
        d.complete = e.complete ? &detail::Thunks::complete<detail::ResourceEntry> : nullptr;
        d.annotations_json = detail::or_null(e.annotations_json);
        const int rc = e.is_template ? host_->add_resource_template(host_->ctx, &d)
                                     : host_->add_resource(host_->ctx, &d);
        if (rc != 0) return refuse("the host refused " + what);
    }
    for (auto &e : prompts_) {
        if (!v13)
            return refuse("prompt " + e.name + " needs a host that speaks server module ABI 1.3");
        e.scope_ptrs = detail::c_strings(e.scopes);
        e.c_arguments.clear();
        for (const auto &a : e.arguments) {
            fastmcp_prompt_argument c{};
            c.struct_size = sizeof c;
            c.name = a.name.c_str();
            c.description = detail::or_null(a.description);
            c.required = a.required ? 1 : 0;
            c.title = detail::or_null(a.title);
            e.c_arguments.push_back(c);
        }
        fastmcp_prompt_desc d{};
        d.struct_size = sizeof d;
        d.name = e.name.c_str();
        d.title = detail::or_null(e.title);
        d.description = detail::or_null(e.description);
        d.arguments = e.c_arguments.empty() ? nullptr : e.c_arguments.data();
        d.argument_count = e.c_arguments.size();
        d.handler = &detail::Thunks::prompt;
        d.user = &e;
        d.required_scopes = e.scope_ptrs.empty() ? nullptr : e.scope_ptrs.data();
        d.required_scope_count = e.scope_ptrs.size();
        d.complete = e.complete ? &detail::Thunks::complete<detail::PromptEntry> : nullptr;
        if (host_->add_prompt(host_->ctx, &d) != 0)
            return refuse("the host refused prompt " + e.name);
    }
    return 0;
}

} // namespace fastmcp::module
