#include "admin_handler.hpp"

#include "ops_endpoints.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <ostream>

namespace fastmcp::ops {

void AdminHandler::handle(Poco::Net::HTTPServerRequest &request,
                          Poco::Net::HTTPServerResponse &response, host::ConnectionState &) {
    const auto started = std::chrono::steady_clock::now();
    const std::string &uri = request.getURI();
    const std::string_view path = std::string_view(uri).substr(0, uri.find('?'));
    const std::string &method = request.getMethod();
    OpsAnswer a;
    const auto route = ops_route(path);
    if (route) {
        a = serve_ops(*route, method, auth_.get(), true);
    } else {
        a.status = 404;
        a.body = R"({"error":"not_found","error_description":"no such route"})";
    }
    if (a.allow_get_only) response.set("Allow", "GET, HEAD");
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
    response.setContentType(a.content_type);
    response.setContentLength(static_cast<std::streamsize>(a.body.size()));
    std::ostream &out = response.send();
    if (method != "HEAD") out.write(a.body.data(), static_cast<std::streamsize>(a.body.size()));
    metrics().request(
        route.value_or(Route::not_found), method_of(method), a.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

} // namespace fastmcp::ops
