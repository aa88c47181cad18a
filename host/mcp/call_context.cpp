#include "call_context.hpp"

#include "json_text.hpp"
#include "session_state.hpp"

#include "../server/request_context.hpp"

namespace fastmcp::host {
namespace {

thread_local CallScope *t_call = nullptr;

ClientAnswer refused(std::string why) { return {3, {{"message", std::move(why)}}}; }

} // namespace

CallScope::CallScope(const nlohmann::json &request_id, const nlohmann::json &params)
    : session(current_session_state()), channel(current_request_channel()), id(request_id),
      previous_(t_call) {
    auto meta = params.find("_meta");
    if (meta != params.end() && meta->is_object()) {
        auto token = meta->find("progressToken");
        if (token != meta->end() && (token->is_string() || token->is_number_integer()))
            progress_token = &*token;
    }
    if (session) cancelled = session->begin_request(id);
    t_call = this;
}

CallScope::~CallScope() {
    if (session) session->end_request(id);
    t_call = previous_;
}

bool call_log(int level, nlohmann::json data, std::string_view logger) {
    CallScope *call = t_call;
    if (!call || !call->channel || !call->session || level < call->session->log_level())
        return false;
    nlohmann::json params = {{"level", log_level_name(level)}, {"data", std::move(data)}};
    if (!logger.empty()) params["logger"] = logger;
    return call->channel->notify(
        json_text({{"jsonrpc", "2.0"}, {"method", "notifications/message"}, {"params", params}}));
}

bool call_progress(double progress, double total, std::string_view message) {
    CallScope *call = t_call;
    if (!call || !call->channel || !call->progress_token) return false;
    nlohmann::json params = {{"progressToken", *call->progress_token}, {"progress", progress}};
    if (total >= 0) params["total"] = total;
    if (!message.empty()) params["message"] = message;
    return call->channel->notify(
        json_text({{"jsonrpc", "2.0"}, {"method", "notifications/progress"}, {"params", params}}));
}

bool call_cancelled() {
    CallScope *call = t_call;
    return call && call->cancelled && call->cancelled->load();
}

ClientAnswer call_client(std::string_view method, nlohmann::json params,
                         std::string_view capability, std::chrono::milliseconds timeout) {
    CallScope *call = t_call;
    if (!call) return refused("not inside a request handler");
    if (!call->session)
        return refused(std::string(method) +
                       " needs a session: this server is stateless (run it with --stateful)");
    if (!call->channel)
        return refused(std::string(method) +
                       " needs an SSE response: the client must accept text/event-stream");
    if (!capability.empty() && !call->session->client_supports(capability))
        return refused("the client did not declare the " + std::string(capability) + " capability");
    auto [id, waiter] = call->session->start_client_request();
    nlohmann::json message = {
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    if (!call->channel->notify(json_text(message))) {
        call->session->forget_client_request(id);
        return refused("the request's stream is gone");
    }
    nlohmann::json response;
    if (!waiter->wait(timeout, call->cancelled.get(), response)) {
        call->session->forget_client_request(id);
        if (call->cancelled && call->cancelled->load())
            return {4, {{"message", "the request was cancelled"}}};
        return {2, {{"message", "the client did not answer " + std::string(method) + " in time"}}};
    }
    if (auto r = response.find("result"); r != response.end()) return {0, std::move(*r)};
    if (auto e = response.find("error"); e != response.end()) return {1, std::move(*e)};
    return {1,
            {{"code", -32603}, {"message", "the client's response had neither result nor error"}}};
}

} // namespace fastmcp::host
