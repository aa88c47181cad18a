#include "dispatcher.hpp"

#include "json_depth.hpp"
#include "protocol_version.hpp"

#include <exception>

namespace fastmcp::host {
namespace {

using json = nlohmann::json;

// Tool output may carry invalid UTF-8 (it comes from user code): replace rather than throw.
std::string dump(const json &j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string result_message(const json &id, std::string_view result_json) {
    std::string out = R"({"jsonrpc":"2.0","id":)";
    out += dump(id);
    out += R"(,"result":)";
    out.append(result_json);
    out += '}';
    return out;
}

bool valid_id(const json &id) { return id.is_string() || id.is_number_integer() || id.is_number_unsigned(); }

bool valid_log_level(const std::string &level) {
    static const char *const levels[] = {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
    for (const char *l : levels)
        if (level == l) return true;
    return false;
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
    return dump(j);
}

Dispatcher::Dispatcher(ServerInfo info, std::map<std::string, Tool, std::less<>> tools, int max_json_depth,
                       size_t max_batch)
    : info_(std::move(info)), tools_(std::move(tools)), max_json_depth_(max_json_depth), max_batch_(max_batch) {
    json list = json::array();
    for (const auto &[name, t] : tools_) {
        json entry = {{"name", t.name}, {"inputSchema", t.input_schema}};
        if (!t.description.empty()) entry["description"] = t.description;
        list.push_back(std::move(entry));
    }
    tools_list_json_ = dump(json{{"tools", std::move(list)}});
}

DispatchReply Dispatcher::handle(std::string_view body, std::string_view protocol_version) const {
    return execute(parse(body), protocol_version);
}

ParsedBody Dispatcher::parse(std::string_view body) const {
    ParsedBody out;
    if (json_depth_exceeds(body, max_json_depth_)) {
        out.reply = DispatchReply{400, jsonrpc_error(nullptr, kParseError, "Parse error: JSON nested too deeply")};
        out.nonblocking = true;
        return out;
    }
    out.doc = json::parse(body, nullptr, false);
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
    out.nonblocking = m == "ping" || m == "initialize" || m == "tools/list" || m == "logging/setLevel";
    return out;
}

DispatchReply Dispatcher::execute(ParsedBody parsed, std::string_view protocol_version) const {
    if (parsed.reply) return std::move(*parsed.reply);
    json &doc = parsed.doc;

    if (doc.is_array()) {
        if (!protocol_allows_batches(protocol_version))
            return {400, jsonrpc_error(nullptr, kInvalidRequest,
                                       "Invalid Request: JSON-RPC batches are not supported in this protocol version")};
        if (doc.empty()) return {400, jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request: empty batch")};
        if (doc.size() > max_batch_) return {400, jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request: batch too large")};
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
    bool invalid = !doc.contains("method") || !doc["method"].is_string() || !doc.contains("id") || !valid_id(doc["id"]) ||
                   doc.value("jsonrpc", json()) != "2.0";
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
        // A response from the client (to a server request we never send): accepted, no reply.
        if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
        return jsonrpc_error(id, kInvalidRequest, "Invalid Request: no method");
    }
    if (!method_it->is_string()) return jsonrpc_error(id, kInvalidRequest, "Invalid Request: method must be a string");
    if (!has_id) return std::nullopt; // a notification: never answered
    if (!valid_id(*id_it)) return jsonrpc_error(nullptr, kInvalidRequest, "Invalid Request: id must be a string or integer");

    const std::string &method = method_it->get_ref<const std::string &>();
    static const json kNoParams = json::object();
    auto params_it = message.find("params");
    const json &params = params_it == message.end() ? kNoParams : *params_it;
    if (!params.is_object()) return jsonrpc_error(id, kInvalidParams, "Invalid params: params must be an object");
    if (in_batch && method == "initialize")
        return jsonrpc_error(id, kInvalidRequest, "Invalid Request: initialize must not be part of a batch");
    try {
        return call_method(method, params, id);
    } catch (const BadParams &e) {
        return jsonrpc_error(id, kInvalidParams, e.message);
    } catch (const std::exception &) {
        return jsonrpc_error(id, kInternalError, "Internal error");
    }
}

std::string Dispatcher::call_method(std::string_view method, const json &params, const json &id) const {
    if (method == "ping") return result_message(id, "{}");
    if (method == "initialize") {
        auto requested = params.find("protocolVersion");
        if (requested == params.end() || !requested->is_string())
            throw BadParams("Invalid params: protocolVersion is required");
        json result = {
            {"protocolVersion", negotiate_protocol_version(requested->get_ref<const std::string &>())},
            {"capabilities", {{"tools", {{"listChanged", false}}}, {"logging", json::object()}}},
            {"serverInfo", {{"name", info_.name}, {"version", info_.version}}}};
        if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
        return result_message(id, dump(result));
    }
    if (method == "tools/list") return result_message(id, tools_list_json_);
    if (method == "tools/call") return call_tool(params, id);
    if (method == "logging/setLevel") {
        auto level = params.find("level");
        if (level == params.end() || !level->is_string() || !valid_log_level(level->get<std::string>()))
            throw BadParams("Invalid params: level must be one of debug, info, notice, warning, error, critical, alert, emergency");
        return result_message(id, "{}");
    }
    return jsonrpc_error(id, kMethodNotFound, "Method not found: " + std::string(method.substr(0, 100)));
}

std::string Dispatcher::call_tool(const json &params, const json &id) const {
    auto name_it = params.find("name");
    if (name_it == params.end() || !name_it->is_string()) throw BadParams("Invalid params: tool name is required");
    const std::string &name = name_it->get_ref<const std::string &>();
    auto tool = tools_.find(name);
    if (tool == tools_.end()) throw BadParams("Unknown tool: " + name.substr(0, 100));
    static const json kNoArgs = json::object();
    auto args_it = params.find("arguments");
    const json &args = (args_it == params.end() || args_it->is_null()) ? kNoArgs : *args_it;
    if (!args.is_object()) throw BadParams("Invalid params: arguments must be an object");
    if (const char *missing = required_argument_missing(tool->second.input_schema, args))
        throw BadParams(std::string("Invalid params: missing required argument '") + missing + "'");

    ToolResult result;
    try {
        result = tool->second.handler(args);
    } catch (const std::exception &e) {
        result = ToolResult::error("Error executing tool " + name + ": " + e.what());
    } catch (...) {
        result = ToolResult::error("Error executing tool " + name);
    }
    json out = {{"content", std::move(result.content)}, {"isError", result.is_error}};
    if (!result.structured.is_null()) out["structuredContent"] = std::move(result.structured);
    return result_message(id, dump(out));
}

} // namespace fastmcp::host
