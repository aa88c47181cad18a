// A fastmcp_server_host that records what a module registers and answers the handler calls from
// fields a test sets. `abi_minor(2)` cuts the function table where ABI 1.2 ended.
#pragma once

#include "fastmcp/server_module.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fake {

using nlohmann::json;

inline std::string s(fastmcp_str v) { return {v.data ? v.data : "", v.size}; }
inline std::string s(const char *v) { return v ? v : ""; }
inline std::vector<std::string> list(const char *const *v, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i)
        out.emplace_back(v[i]);
    return out;
}

struct Tool {
    std::string name, description, title, annotations, output_schema;
    json input_schema;
    std::vector<std::string> scopes;
    fastmcp_tool_fn handler = nullptr;
    void *user = nullptr;
};
struct Resource {
    std::string uri, name, title, description, mime_type;
    std::vector<std::string> scopes;
    fastmcp_resource_fn handler = nullptr;
    fastmcp_completion_fn complete = nullptr;
    void *user = nullptr;
};
struct Prompt {
    std::string name, title, description;
    json arguments = json::array();
    std::vector<std::string> scopes;
    fastmcp_prompt_fn handler = nullptr;
    fastmcp_completion_fn complete = nullptr;
    void *user = nullptr;
};

// Every answer a handler sent (a correct one sends exactly one).
struct ToolAnswer {
    int responses = 0;
    int rc = 0;
    bool is_error = false;
    json content, structured;
    std::string text() const { return content.size() ? content[0].value("text", "") : ""; }
};
struct RpcAnswer {
    int responses = 0;
    int error_code = 0;
    std::string error_message;
    json result; // resources: contents; prompts: {description, messages}; completion:
                 // {values,total,hasMore}
};

// The current request's token (when auth is on).
struct Token {
    std::string token = "raw.jwt.value", subject = "user-1", client_id = "client-1",
                issuer = "https://idp";
    std::vector<std::string> scopes;
    std::string claims = R"({"sub":"user-1"})";
    std::vector<fastmcp_str> views;
};

struct Host {
    fastmcp_server_host api{};
    std::map<std::string, Tool> tools;
    std::map<std::string, Resource> resources, templates;
    std::map<std::string, Prompt> prompts;
    std::vector<std::string> server_log;
    json client_log = json::array(); // [{level, data, logger}]
    json progress = json::array();   // [{progress, total, message}]
    bool cancelled = false;
    bool refuse = false;
    std::map<std::string, std::string> env;
    std::optional<Token> token;
    int client_status = FASTMCP_CLIENT_OK;
    std::string client_answer = "{}";
    std::string last_sample_params, last_elicit_message, last_elicit_schema;

    explicit Host(unsigned abi_minor = FASTMCP_SERVER_MODULE_ABI_MINOR) {
        api.struct_size = abi_minor >= 3 ? sizeof api : offsetof(fastmcp_server_host, add_resource);
        api.ctx = this;
        api.add_tool = [](void *c, const fastmcp_tool_desc *d) {
            auto &h = *static_cast<Host *>(c);
            if (h.refuse) return 1;
            Tool t{d->name,
                   s(d->description),
                   s(d->title),
                   s(d->annotations_json),
                   s(d->output_schema_json),
                   json::parse(s(d->input_schema_json)),
                   list(d->required_scopes, d->required_scope_count),
                   d->handler,
                   d->user};
            h.tools[t.name] = t;
            return 0;
        };
        api.log = [](void *c, int, const char *m, size_t n) {
            static_cast<Host *>(c)->server_log.emplace_back(m, n);
        };
        api.get_access_token = [](void *c, fastmcp_token_view *out) {
            auto &h = *static_cast<Host *>(c);
            if (!h.token) return 0;
            auto &t = *h.token;
            t.views.clear();
            for (auto &sc : t.scopes)
                t.views.push_back({sc.data(), sc.size()});
            out->token = {t.token.data(), t.token.size()};
            out->subject = {t.subject.data(), t.subject.size()};
            out->client_id = {t.client_id.data(), t.client_id.size()};
            out->issuer = {t.issuer.data(), t.issuer.size()};
            out->scopes = t.views.data();
            out->scope_count = t.views.size();
            out->expires_at = 1700000000;
            out->claims_json = {t.claims.data(), t.claims.size()};
            return 1;
        };
        api.get_env = [](void *c, const char *name, size_t n, fastmcp_str *out) {
            auto &h = *static_cast<Host *>(c);
            auto it = h.env.find(std::string(name, n));
            if (it == h.env.end()) return 0;
            *out = {it->second.data(), it->second.size()};
            return 1;
        };
        api.notify = [](void *, const char *, size_t, const char *, size_t) { return 0; };
        api.close_sse_stream = [](void *) { return 0; };
        api.add_resource = [](void *c, const fastmcp_resource_desc *d) {
            return static_cast<Host *>(c)->add_resource(static_cast<Host *>(c)->resources, d);
        };
        api.add_resource_template = [](void *c, const fastmcp_resource_desc *d) {
            return static_cast<Host *>(c)->add_resource(static_cast<Host *>(c)->templates, d);
        };
        api.add_prompt = [](void *c, const fastmcp_prompt_desc *d) {
            auto &h = *static_cast<Host *>(c);
            if (h.refuse) return 1;
            Prompt p{d->name,
                     s(d->title),
                     s(d->description),
                     json::array(),
                     list(d->required_scopes, d->required_scope_count),
                     d->handler,
                     d->complete,
                     d->user};
            for (size_t i = 0; i < d->argument_count; ++i)
                p.arguments.push_back({{"name", s(d->arguments[i].name)},
                                       {"description", s(d->arguments[i].description)},
                                       {"required", d->arguments[i].required != 0}});
            h.prompts[p.name] = p;
            return 0;
        };
        api.log_message = [](void *c, int level, const char *data, size_t n, const char *logger,
                             size_t ln) {
            static_cast<Host *>(c)->client_log.push_back(
                {{"level", level},
                 {"data", json::parse(std::string(data, n))},
                 {"logger", logger ? std::string(logger, ln) : ""}});
            return 1;
        };
        api.report_progress = [](void *c, double p, double total, const char *m, size_t n) {
            static_cast<Host *>(c)->progress.push_back(
                {{"progress", p}, {"total", total}, {"message", m ? std::string(m, n) : ""}});
            return 1;
        };
        api.is_cancelled = [](void *c) { return static_cast<Host *>(c)->cancelled ? 1 : 0; };
        api.sample = [](void *c, const char *params, size_t n, uint32_t,
                        fastmcp_client_result *out) {
            auto &h = *static_cast<Host *>(c);
            h.last_sample_params.assign(params, n);
            out->status = h.client_status;
            out->result_json = {h.client_answer.data(), h.client_answer.size()};
            return h.client_status;
        };
        api.elicit = [](void *c, const char *m, size_t mn, const char *schema, size_t sn, uint32_t,
                        fastmcp_client_result *out) {
            auto &h = *static_cast<Host *>(c);
            h.last_elicit_message.assign(m, mn);
            h.last_elicit_schema.assign(schema, sn);
            out->status = h.client_status;
            out->result_json = {h.client_answer.data(), h.client_answer.size()};
            return h.client_status;
        };
    }
    Host(const Host &) = delete;

    int add_resource(std::map<std::string, Resource> &into, const fastmcp_resource_desc *d) {
        if (refuse) return 1;
        Resource r{d->uri,          d->name,
                   s(d->title),     s(d->description),
                   s(d->mime_type), list(d->required_scopes, d->required_scope_count),
                   d->handler,      d->complete,
                   d->user};
        into[r.uri] = r;
        return 0;
    }

    ToolAnswer call(const std::string &name, const std::string &args_json = "{}") {
        ToolAnswer a;
        const Tool &t = tools.at(name);
        a.rc = t.handler(
            t.user, {args_json.data(), args_json.size()},
            [](void *c, const fastmcp_tool_result *r) {
                auto &a = *static_cast<ToolAnswer *>(c);
                ++a.responses;
                a.is_error = r->is_error != 0;
                a.content = json::parse(s(r->content_json));
                a.structured =
                    r->structured_json.size ? json::parse(s(r->structured_json)) : json();
            },
            &a);
        return a;
    }

    RpcAnswer read(const std::string &uri, const std::string &vars = "{}",
                   bool from_template = false, const std::string &key = {}) {
        RpcAnswer a;
        const Resource &r = (from_template ? templates : resources).at(key.empty() ? uri : key);
        r.handler(
            r.user, {uri.data(), uri.size()}, {vars.data(), vars.size()},
            [](void *c, const fastmcp_resource_result *r) {
                auto &a = *static_cast<RpcAnswer *>(c);
                ++a.responses;
                a.error_code = r->error_code;
                a.error_message = s(r->error_message);
                a.result = json::array();
                for (size_t i = 0; i < r->content_count; ++i)
                    a.result.push_back({{"uri", s(r->contents[i].uri)},
                                        {"mimeType", s(r->contents[i].mime_type)},
                                        {"blob", r->contents[i].is_blob != 0},
                                        {"data", s(r->contents[i].data)}});
            },
            &a);
        return a;
    }

    RpcAnswer get_prompt(const std::string &name, const std::string &args = "{}") {
        RpcAnswer a;
        const Prompt &p = prompts.at(name);
        p.handler(
            p.user, {args.data(), args.size()},
            [](void *c, const fastmcp_prompt_result *r) {
                auto &a = *static_cast<RpcAnswer *>(c);
                ++a.responses;
                a.error_code = r->error_code;
                a.error_message = s(r->error_message);
                a.result = {{"description", s(r->description)},
                            {"messages",
                             r->messages_json.size ? json::parse(s(r->messages_json)) : json()}};
            },
            &a);
        return a;
    }

    static RpcAnswer complete(fastmcp_completion_fn fn, void *user, const std::string &arg,
                              const std::string &value, const std::string &context = "{}") {
        RpcAnswer a;
        fn(
            user, {arg.data(), arg.size()}, {value.data(), value.size()},
            {context.data(), context.size()},
            [](void *c, const fastmcp_completion_result *r) {
                auto &a = *static_cast<RpcAnswer *>(c);
                ++a.responses;
                a.error_code = r->error_code;
                a.error_message = s(r->error_message);
                json values = json::array();
                for (size_t i = 0; i < r->value_count; ++i)
                    values.push_back(s(r->values[i]));
                a.result = {{"values", values}, {"total", r->total}, {"hasMore", r->has_more != 0}};
            },
            &a);
        return a;
    }
};

} // namespace fake
