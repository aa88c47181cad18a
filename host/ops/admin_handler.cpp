#include "admin_handler.hpp"

#include <chrono>
#include <ostream>

namespace fastmcp::ops {
namespace {

// Any thread: writes the answer, counts it and hands it to the loop.
void answer(const std::shared_ptr<host::HttpExchange> &exchange, Route route,
            std::chrono::steady_clock::time_point started, const OpsAnswer &a) {
    auto &response = exchange->response();
    if (a.allow_get_only) response.set("Allow", "GET, HEAD");
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
    response.setContentType(a.content_type);
    // The loop drops the body of a HEAD answer and keeps its Content-Length.
    response.setContentLength(static_cast<std::streamsize>(a.body.size()));
    response.send().write(a.body.data(), static_cast<std::streamsize>(a.body.size()));
    metrics().request(
        route, method_of(exchange->request().getMethod()), a.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    exchange->finish();
}

} // namespace

void AdminHandler::handle(const std::shared_ptr<host::HttpExchange> &exchange) {
    const auto started = std::chrono::steady_clock::now();
    const std::string &uri = exchange->request().getURI();
    const std::string_view path = std::string_view(uri).substr(0, uri.find('?'));
    const std::string &method = exchange->request().getMethod();
    if (!exchange->discard_small_body()) exchange->response().setKeepAlive(false);
    const auto route = ops_route(path);
    if (!route) {
        OpsAnswer a;
        a.status = 404;
        a.body = R"({"error":"not_found","error_description":"no such route"})";
        return answer(exchange, Route::not_found, started, a);
    }
    // Pinned like a request on the main port: a reload cannot free it under the pool task.
    std::shared_ptr<const host::AuthView> view = auth_ ? auth_->pin() : nullptr;
    OpsSources sources;
    sources.auth = view ? view->backend.get() : nullptr;
    sources.serve_metrics = true;
    if (!ops_blocks(*route, method, sources.auth != nullptr) && *route != Route::metrics)
        return answer(exchange, *route, started, serve_ops(*route, method, sources));
    // /metrics reads the session store (a mutex) and /readyz the provider: off the loop.
    const bool queued =
        exchange->run_blocking([this, exchange, route, started, sources, view]() mutable {
            if (gauges_) gauges_(sources);
            answer(exchange, *route, started,
                   serve_ops(*route, exchange->request().getMethod(), sources));
        });
    if (!queued) answer(exchange, *route, started, ops_overloaded(*route));
}

} // namespace fastmcp::ops
