#include "dispatcher.hpp"

#include "call_context.hpp"
#include "json_depth.hpp"
#include "json_parse.hpp"
#include "json_text.hpp"
#include "protocol_version.hpp"
#include "session_state.hpp"

#include "../server/request_context.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <exception>

namespace fastmcp::host {
namespace {

using json = nlohmann::json;

std::string result_message(const json &id, std::string_view result_json) {
    std::string out;
    out.reserve(48 + result_json.size());
    out += R"({"jsonrpc":"2.0","id":)";
    out += json_text(id);
    out += R"(,"result":)";
    out.append(result_json);
    out += '}';
    return out;
}

bool valid_id(const json &id) {
    return id.is_string() || id.is_number_integer() || id.is_number_unsigned();
}

bool valid_log_level(const std::string &level) { return log_level_of(level) >= 0; }

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

bool token_has(const AccessToken &token, const std::vector<std::string> &required) {
    for (const auto &scope : required)
        if (std::find(token.scopes.begin(), token.scopes.end(), scope) == token.scopes.end())
            return false;
    return true;
}

json tool_entry(const Tool &t) {
    json entry = {{"name", t.name}, {"inputSchema", t.input_schema}};
    if (!t.title.empty()) entry["title"] = t.title;
    if (!t.description.empty()) entry["description"] = t.description;
    if (t.output_schema.is_object()) entry["outputSchema"] = t.output_schema;
    if (t.annotations.is_object()) entry["annotations"] = t.annotations;
    return entry;
}

json resource_entry(const Resource &r, bool is_template) {
    json entry = {{is_template ? "uriTemplate" : "uri", r.uri}, {"name", r.name}};
    if (!r.title.empty()) entry["title"] = r.title;
    if (!r.description.empty()) entry["description"] = r.description;
    if (!r.mime_type.empty()) entry["mimeType"] = r.mime_type;
    if (r.annotations.is_object()) entry["annotations"] = r.annotations;
    return entry;
}

json prompt_entry(const Prompt &p) {
    json entry = {{"name", p.name}};
    if (!p.title.empty()) entry["title"] = p.title;
    if (!p.description.empty()) entry["description"] = p.description;
    if (!p.arguments.empty()) {
        json args = json::array();
        for (const auto &a : p.arguments) {
            json arg = {{"name", a.name}, {"required", a.required}};
            if (!a.title.empty()) arg["title"] = a.title;
            if (!a.description.empty()) arg["description"] = a.description;
            args.push_back(std::move(arg));
        }
        entry["arguments"] = std::move(args);
    }
    return entry;
}

// The missing required properties of an object schema (outputSchema checks on structuredContent).
const char *structured_mismatch(const json &schema, const json &structured) {
    if (!structured.is_object()) return "did not return a structuredContent object";
    auto req = schema.find("required");
    if (req != schema.end() && req->is_array())
        for (const auto &name : *req)
            if (name.is_string() && !structured.contains(name.get_ref<const std::string &>()))
                return "its structuredContent lacks a property the output schema requires";
    return nullptr;
}

struct BadParams : std::exception {
    explicit BadParams(std::string m) : message(std::move(m)) {}
    std::string message;
};

const char *required_argument_missing(const json &schema, const json &args) {
    auto req = schema.find("required");
    if (req == schema.end() || !req->is_array()) return nullptr;
    for (const auto &name : *req)
        if (name.is_string() && !args.contains(name.get_ref<const std::string &>()))
            return name.get_ref<const std::string &>().c_str();
    return nullptr;
}

} // namespace

std::string jsonrpc_error(const json &id, int code, std::string_view message) {
    json j = {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
    return json_text(j);
}

Dispatcher::Dispatcher(ServerInfo info, std::map<std::string, Tool, std::less<>> tools,
                       int max_json_depth, size_t max_batch)
    : Dispatcher(std::move(info), Catalog{std::move(tools), {}, {}, {}}, max_json_depth,
                 max_batch) {}

Dispatcher::Dispatcher(ServerInfo info, Catalog catalog, int max_json_depth, size_t max_batch)
    : info_(std::move(info)), tools_(std::move(catalog.tools)),
      resources_(std::move(catalog.resources)), templates_(std::move(catalog.resource_templates)),
      prompts_(std::move(catalog.prompts)), max_json_depth_(max_json_depth), max_batch_(max_batch) {
    for (const auto &t : templates_)
        template_matchers_.emplace_back(t.uri);
    for (const auto &[n, t] : tools_)
        scoped_ = scoped_ || !t.required_scopes.empty();
    for (const auto &[u, r] : resources_)
        scoped_ = scoped_ || !r.required_scopes.empty();
    for (const auto &r : templates_)
        scoped_ = scoped_ || !r.required_scopes.empty();
    for (const auto &[n, p] : prompts_)
        scoped_ = scoped_ || !p.required_scopes.empty();
    tools_list_json_ = list("tools/list");
    json caps = {{"tools", {{"listChanged", false}}}, {"logging", json::object()}};
    if (!resources_.empty() || !templates_.empty())
        caps["resources"] = {{"subscribe", true}, {"listChanged", true}};
    if (!prompts_.empty()) caps["prompts"] = {{"listChanged", true}};
    // Completions only when something completes: a client must not be told to ask for nothing.
    for (const auto &t : templates_)
        completes_ = completes_ || static_cast<bool>(t.complete);
    for (const auto &[n, p] : prompts_)
        completes_ = completes_ || static_cast<bool>(p.complete);
    if (completes_) caps["completions"] = json::object();
    capabilities_json_ = json_text(caps);
}

bool Dispatcher::allowed(const std::vector<std::string> &required) const {
    if (required.empty()) return true;
    auto token = get_access_token();
    return !token || token_has(*token, required); // auth off: scopes are not enforced
}

std::string Dispatcher::list(std::string_view method) const {
    json items = json::array();
    const char *key = "tools";
    if (method == "tools/list") {
        for (const auto &[n, t] : tools_)
            if (allowed(t.required_scopes)) items.push_back(tool_entry(t));
    } else if (method == "resources/list") {
        key = "resources";
        for (const auto &[u, r] : resources_)
            if (allowed(r.required_scopes)) items.push_back(resource_entry(r, false));
    } else if (method == "resources/templates/list") {
        key = "resourceTemplates";
        for (const auto &r : templates_)
            if (allowed(r.required_scopes)) items.push_back(resource_entry(r, true));
    } else {
        key = "prompts";
        for (const auto &[n, p] : prompts_)
            if (allowed(p.required_scopes)) items.push_back(prompt_entry(p));
    }
    return json_text(json{{key, std::move(items)}});
}

const Resource *Dispatcher::find_template(std::string_view uri, json *variables) const {
    for (size_t i = 0; i < templates_.size(); ++i)
        if (auto vars = template_matchers_[i].match(uri)) {
            if (variables) *variables = std::move(*vars);
            return &templates_[i];
        }
    return nullptr;
}

std::optional<std::vector<std::string>> Dispatcher::missing_scopes(const json &doc,
                                                                   const AccessToken *token) const {
    if (!scoped_ || !token || !doc.is_object()) return std::nullopt;
    auto method = doc.find("method");
    auto params = doc.find("params");
    if (method == doc.end() || !method->is_string() || params == doc.end() || !params->is_object())
        return std::nullopt;
    const std::string &m = method->get_ref<const std::string &>();
    const std::vector<std::string> *required = nullptr;
    auto string_param = [&](const char *name) -> const std::string * {
        auto it = params->find(name);
        return it != params->end() && it->is_string() ? &it->get_ref<const std::string &>()
                                                      : nullptr;
    };
    if (m == "tools/call") {
        if (const std::string *name = string_param("name"))
            if (auto t = tools_.find(*name); t != tools_.end())
                required = &t->second.required_scopes;
    } else if (m == "prompts/get") {
        if (const std::string *name = string_param("name"))
            if (auto p = prompts_.find(*name); p != prompts_.end())
                required = &p->second.required_scopes;
    } else if (m == "resources/read" || m == "resources/subscribe") {
        if (const std::string *uri = string_param("uri")) {
            if (auto r = resources_.find(*uri); r != resources_.end())
                required = &r->second.required_scopes;
            else if (const Resource *t = find_template(*uri, nullptr))
                required = &t->required_scopes;
        }
    }
    if (!required || required->empty() || token_has(*token, *required)) return std::nullopt;
    return *required;
}

DispatchReply Dispatcher::handle(std::string_view body, std::string_view protocol_version) const {
    return execute(parse(body), protocol_version);
}

ParsedBody Dispatcher::parse(std::string_view body) const {
    ParsedBody out;
    if (json_depth_exceeds(body, max_json_depth_)) {
        out.reply = DispatchReply{
            400, jsonrpc_error(nullptr, kParseError, "Parse error: JSON nested too deeply")};
        out.nonblocking = true;
        return out;
    }
    out.doc = parse_json(body);
    if (out.doc.is_discarded()) {
        out.reply = DispatchReply{400, jsonrpc_error(nullptr, kParseError, "Parse error")};
        out.nonblocking = true;
        return out;
    }
    if (!out.doc.is_object()) return out; // batches and junk: the pool
    auto method = out.doc.find("method");
    if (method == out.doc.end() || !method->is_string() || !out.doc.contains("id")) {
        out.nonblocking = true; // a response, a notification or an invalid request: no work
        return out;
    }
    const std::string &m = method->get_ref<const std::string &>();
    if (m == "tools/call") {
        auto params = out.doc.find("params");
        if (params != out.doc.end() && params->is_object()) {
            auto name = params->find("name");
            if (name != params->end() && name->is_string()) {
                auto tool = tools_.find(name->get_ref<const std::string &>());
                out.nonblocking = tool == tools_.end() || tool->second.nonblocking;
            }
        }
        return out;
    }
    out.nonblocking = m == "ping" || m == "initialize" || m == "tools/list" ||
                      m == "logging/setLevel" || m == "resources/list" ||
                      m == "resources/templates/list" || m == "prompts/list" ||
                      m == "resources/subscribe" || m == "resources/unsubscribe";
    return out;
}

DispatchReply Dispatcher::execute(ParsedBody parsed, std::string_view protocol_version) const {
    if (parsed.reply) return std::move(*parsed.reply);
    json &doc = parsed.doc;

    if (doc.is_array()) {
        if (!protocol_allows_batches(protocol_version))
            return {400, jsonrpc_error(nullptr, kInvalidRequest,
                                       "Invalid Request: JSON-RPC batches are not supported in "
                                       "this protocol version")};
        if (doc.empty())
            return {400, jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request: empty batch")};
        if (doc.size() > max_batch_)
            return {400,
                    jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request: batch too large")};
        std::string out = "[";
        bool any = false;
        for (const auto &message : doc) {
            auto reply = handle_message(message, true);
            if (!reply) continue;
            if (any) out += ',';
            out += *reply;
            any = true;
        }
        if (!any) return {202, {}};
        out += ']';
        return {200, std::move(out)};
    }

    if (!doc.is_object()) return {400, jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request")};
    auto reply = handle_message(doc, false);
    if (!reply) return {202, {}};
    // A message that was not a valid request at all is refused at the HTTP level too.
    bool invalid = !doc.contains("method") || !doc["method"].is_string() || !doc.contains("id") ||
                   !valid_id(doc["id"]) || doc.value("jsonrpc", json()) != "2.0";
    return {invalid ? 400 : 200, std::move(*reply)};
}

std::optional<std::string> Dispatcher::handle_message(const json &message, bool in_batch) const {
    if (!message.is_object()) return jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request");
    auto id_it = message.find("id");
    const bool has_id = id_it != message.end();
    const json id = has_id && valid_id(*id_it) ? *id_it : json(nullptr);
    auto jsonrpc = message.find("jsonrpc");
    if (jsonrpc == message.end() || *jsonrpc != "2.0")
        return jsonrpc_error(id, kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"");

    auto method_it = message.find("method");
    if (method_it == message.end()) {
        // A response from the client to a server-to-client request (sampling, elicitation): wakes
        // the handler waiting for it, if any. Accepted either way, no reply.
        if (has_id && (message.contains("result") || message.contains("error"))) {
            if (SessionState *session = current_session_state()) session->deliver(message);
            return std::nullopt;
        }
        return jsonrpc_error(id, kInvalidRequest, "Invalid Request: no method");
    }
    if (!method_it->is_string())
        return jsonrpc_error(id, kInvalidRequest, "Invalid Request: method must be a string");
    if (!has_id) { // a notification: never answered
        auto params = message.find("params");
        if (params != message.end() && params->is_object())
            on_notification(method_it->get_ref<const std::string &>(), *params);
        return std::nullopt;
    }
    if (!valid_id(*id_it))
        return jsonrpc_error(nullptr, kInvalidRequest,
                             "Invalid Request: id must be a string or integer");

    const std::string &method = method_it->get_ref<const std::string &>();
    static const json kNoParams = json::object();
    auto params_it = message.find("params");
    const json &params = params_it == message.end() ? kNoParams : *params_it;
    if (!params.is_object())
        return jsonrpc_error(id, kInvalidParams, "Invalid params: params must be an object");
    if (in_batch && method == "initialize")
        return jsonrpc_error(id, kInvalidRequest,
                             "Invalid Request: initialize must not be part of a batch");
    try {
        return call_method(method, params, id);
    } catch (const BadParams &e) {
        return jsonrpc_error(id, kInvalidParams, e.message);
    } catch (const McpError &e) {
        return jsonrpc_error(id, e.code, e.what());
    } catch (const std::exception &) {
        return jsonrpc_error(id, kInternalError, "Internal error");
    }
}

std::string Dispatcher::call_method(std::string_view method, const json &params,
                                    const json &id) const {
    if (method == "ping") return result_message(id, "{}");
    if (method == "initialize") {
        auto requested = params.find("protocolVersion");
        if (requested == params.end() || !requested->is_string())
            throw BadParams("Invalid params: protocolVersion is required");
        if (SessionState *session = current_session_state())
            session->set_client_capabilities(params.value("capabilities", json::object()));
        json result = {{"protocolVersion",
                        negotiate_protocol_version(requested->get_ref<const std::string &>())},
                       {"capabilities", json::parse(capabilities_json_)},
                       {"serverInfo", {{"name", info_.name}, {"version", info_.version}}}};
        if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
        return result_message(id, json_text(result));
    }
    if (method == "tools/list") {
        if (scoped_) return result_message(id, list(method));
        return result_message(id, tools_list_json_);
    }
    if (method == "tools/call") return call_tool(params, id);
    if (method == "logging/setLevel") {
        auto level = params.find("level");
        if (level == params.end() || !level->is_string() ||
            !valid_log_level(level->get<std::string>()))
            throw BadParams("Invalid params: level must be one of debug, info, notice, warning, "
                            "error, critical, alert, emergency");
        if (SessionState *session = current_session_state())
            session->set_log_level(log_level_of(level->get_ref<const std::string &>()));
        return result_message(id, "{}");
    }
    const bool has_resources = !resources_.empty() || !templates_.empty();
    if (has_resources && (method == "resources/list" || method == "resources/templates/list"))
        return result_message(id, list(method));
    if (has_resources && method == "resources/read") return read_resource(params, id);
    if (has_resources && (method == "resources/subscribe" || method == "resources/unsubscribe")) {
        auto uri = params.find("uri");
        if (uri == params.end() || !uri->is_string())
            throw BadParams("Invalid params: uri is required");
        if (SessionState *session = current_session_state()) {
            if (method == "resources/subscribe")
                session->subscribe(uri->get<std::string>());
            else
                session->unsubscribe(uri->get<std::string>());
        }
        return result_message(id, "{}");
    }
    if (!prompts_.empty() && method == "prompts/list") return result_message(id, list(method));
    if (!prompts_.empty() && method == "prompts/get") return get_prompt(params, id);
    if (completes_ && method == "completion/complete") return complete(params, id);
    return jsonrpc_error(id, kMethodNotFound,
                         "Method not found: " + std::string(method.substr(0, 100)));
}

std::string Dispatcher::call_tool(const json &params, const json &id) const {
    auto name_it = params.find("name");
    if (name_it == params.end() || !name_it->is_string())
        throw BadParams("Invalid params: tool name is required");
    const std::string &name = name_it->get_ref<const std::string &>();
    auto tool = tools_.find(name);
    // A tool the caller may not see is unknown to it (the HTTP layer answered 403 before this).
    if (tool == tools_.end() || !allowed(tool->second.required_scopes))
        throw BadParams("Unknown tool: " + name.substr(0, 100));
    static const json kNoArgs = json::object();
    auto args_it = params.find("arguments");
    const json &args = (args_it == params.end() || args_it->is_null()) ? kNoArgs : *args_it;
    if (!args.is_object()) throw BadParams("Invalid params: arguments must be an object");
    if (const char *missing = required_argument_missing(tool->second.input_schema, args))
        throw BadParams(std::string("Invalid params: missing required argument '") + missing + "'");

    ToolResult result;
    try {
        CallScope call(id, params);
        result = tool->second.handler(args);
    } catch (const std::exception &e) {
        result = ToolResult::error("Error executing tool " + name + ": " + e.what());
    } catch (...) {
        result = ToolResult::error("Error executing tool " + name);
    }
    if (tool->second.output_schema.is_object() && !result.is_error) {
        if (const char *why = structured_mismatch(tool->second.output_schema, result.structured))
            result = ToolResult::error("Tool " + name + " has an output schema but " + why);
        else if (result.content.empty())
            result.add_text(json_text(result.structured)); // for clients that read only content
    }
    // Written out rather than built as a tree: the same text (an object's keys come out sorted:
    // content, isError, structuredContent) without an object, its map and a copy of the content.
    std::string out = json_text(result.content);
    out.insert(0, R"({"content":)"); // within the reserved room: no reallocation
    out += result.is_error ? R"(,"isError":true)" : R"(,"isError":false)";
    if (!result.structured.is_null()) {
        out += R"(,"structuredContent":)";
        out += json_text(result.structured);
    }
    out += '}';
    return result_message(id, out);
}

void Dispatcher::on_notification(std::string_view method, const json &params) const {
    SessionState *session = current_session_state();
    if (!session) return;
    if (method == "notifications/cancelled") {
        auto request = params.find("requestId");
        if (request != params.end() && valid_id(*request)) session->cancel(*request);
    }
}

std::string Dispatcher::read_resource(const json &params, const json &id) const {
    auto uri_it = params.find("uri");
    if (uri_it == params.end() || !uri_it->is_string())
        throw BadParams("Invalid params: uri is required");
    const std::string &uri = uri_it->get_ref<const std::string &>();
    json variables = json::object();
    const Resource *resource = nullptr;
    if (auto r = resources_.find(uri); r != resources_.end()) resource = &r->second;
    if (!resource) resource = find_template(uri, &variables);
    if (!resource || !allowed(resource->required_scopes))
        throw McpError(kResourceNotFound, "Resource not found: " + uri.substr(0, 200));
    std::vector<ResourceContent> contents;
    try {
        CallScope call(id, params);
        contents = resource->handler(uri, variables);
    } catch (const McpError &) {
        throw;
    } catch (const std::exception &) {
        throw McpError(kInternalError, "Error reading resource " + uri.substr(0, 200));
    }
    json items = json::array();
    for (auto &c : contents) {
        json item = {{"uri", c.uri.empty() ? uri : c.uri}};
        const std::string &mime = c.mime_type.empty() ? resource->mime_type : c.mime_type;
        if (!mime.empty()) item["mimeType"] = mime;
        if (c.is_blob)
            item["blob"] = base64(c.data);
        else
            item["text"] = std::move(c.data);
        items.push_back(std::move(item));
    }
    return result_message(id, json_text(json{{"contents", std::move(items)}}));
}

std::string Dispatcher::get_prompt(const json &params, const json &id) const {
    auto name_it = params.find("name");
    if (name_it == params.end() || !name_it->is_string())
        throw BadParams("Invalid params: prompt name is required");
    const std::string &name = name_it->get_ref<const std::string &>();
    auto prompt = prompts_.find(name);
    if (prompt == prompts_.end() || !allowed(prompt->second.required_scopes))
        throw BadParams("Unknown prompt: " + name.substr(0, 100));
    static const json kNoArgs = json::object();
    auto args_it = params.find("arguments");
    const json &args = (args_it == params.end() || args_it->is_null()) ? kNoArgs : *args_it;
    if (!args.is_object()) throw BadParams("Invalid params: arguments must be an object");
    for (const auto &[k, v] : args.items())
        if (!v.is_string())
            throw BadParams("Invalid params: prompt argument '" + k.substr(0, 100) +
                            "' must be a string");
    for (const auto &a : prompt->second.arguments)
        if (a.required && !args.contains(a.name))
            throw BadParams("Invalid params: missing required argument '" + a.name + "'");
    PromptResult result;
    try {
        CallScope call(id, params);
        result = prompt->second.handler(args);
    } catch (const McpError &) {
        throw;
    } catch (const std::exception &) {
        throw McpError(kInternalError, "Error rendering prompt " + name.substr(0, 100));
    }
    if (!result.messages.is_array())
        throw McpError(kInternalError, "Prompt " + name + " returned no messages array");
    json out = {{"messages", std::move(result.messages)}};
    if (!result.description.empty())
        out["description"] = std::move(result.description);
    else if (!prompt->second.description.empty())
        out["description"] = prompt->second.description;
    return result_message(id, json_text(out));
}

std::string Dispatcher::complete(const json &params, const json &id) const {
    auto ref = params.find("ref");
    auto argument = params.find("argument");
    if (ref == params.end() || !ref->is_object() || argument == params.end() ||
        !argument->is_object())
        throw BadParams("Invalid params: ref and argument are required");
    const std::string type = ref->value("type", "");
    const std::string arg_name = argument->value("name", "");
    const std::string arg_value = argument->value("value", "");
    json context = json::object();
    if (auto c = params.find("context"); c != params.end() && c->is_object())
        context = c->value("arguments", json::object());
    const CompletionHandler *handler = nullptr;
    if (type == "ref/prompt") {
        auto p = prompts_.find(ref->value("name", ""));
        if (p == prompts_.end() || !allowed(p->second.required_scopes))
            throw BadParams("Invalid params: unknown prompt");
        handler = &p->second.complete;
    } else if (type == "ref/resource") {
        const std::string uri = ref->value("uri", "");
        auto t = std::find_if(templates_.begin(), templates_.end(),
                              [&](const Resource &r) { return r.uri == uri; });
        if (t == templates_.end() || !allowed(t->required_scopes))
            throw BadParams("Invalid params: unknown resource template");
        handler = &t->complete;
    } else {
        throw BadParams("Invalid params: ref.type must be ref/prompt or ref/resource");
    }
    Completion completion;
    if (*handler) {
        try {
            CallScope call(id, params);
            completion = (*handler)(arg_name, arg_value, context);
        } catch (const McpError &) {
            throw;
        } catch (const std::exception &) {
            throw McpError(kInternalError, "Error completing argument " + arg_name.substr(0, 100));
        }
    }
    const size_t total = completion.values.size();
    if (completion.values.size() > 100) completion.values.resize(100); // the spec's cap
    json out = {{"values", std::move(completion.values)}};
    if (completion.total >= 0) out["total"] = completion.total;
    out["hasMore"] = completion.has_more || total > 100;
    return result_message(id, json_text(json{{"completion", std::move(out)}}));
}

} // namespace fastmcp::host
