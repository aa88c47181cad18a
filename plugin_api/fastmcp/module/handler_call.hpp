// Calls a user's handler with the parameters it declares (any prefix-free subset of the request
// and the Context), so a handler names only what it uses:
//   [](const Args &a, Context &ctx) {...}   [](const Args &a) {...}   [](Context &ctx) {...}
//   []{...}
#pragma once

#include "fastmcp/module/context.hpp"

#include <type_traits>
#include <utility>

namespace fastmcp::module::detail {

template <class F, class Request>
constexpr bool accepts_request_v = std::is_invocable_v<F &, const Request &, Context &> ||
                                   std::is_invocable_v<F &, const Request &>;

template <class F, class Request>
constexpr bool callable_with_v = accepts_request_v<F, Request> ||
                                 std::is_invocable_v<F &, Context &> || std::is_invocable_v<F &>;

template <class F, class Request> decltype(auto) call(F &f, const Request &request, Context &ctx) {
    if constexpr (std::is_invocable_v<F &, const Request &, Context &>)
        return f(request, ctx);
    else if constexpr (std::is_invocable_v<F &, const Request &>)
        return f(request);
    else if constexpr (std::is_invocable_v<F &, Context &>)
        return f(ctx);
    else
        return f();
}

} // namespace fastmcp::module::detail
