// What a handler throws, and what each becomes at the ABI (exceptions never cross it):
//   tools:                any exception -> an isError result (ToolError's message verbatim)
//   resources, prompts,   RpcError -> that JSON-RPC error; ArgumentError -> -32602;
//   completions:          any other exception -> -32603
#pragma once

#include "fastmcp/server_module.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace fastmcp::module {

// A failure whose message is meant for the client, sent as is.
struct ToolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A missing or mistyped argument. Its message always names the argument.
struct ArgumentError : ToolError {
    using ToolError::ToolError;
};

// A JSON-RPC error answer for resources/read, prompts/get or completion/complete.
struct RpcError : std::runtime_error {
    RpcError(int code, const std::string &message) : std::runtime_error(message), code(code) {}
    int code;
};

// resources/read of a URI the module does not have (-32002, the MCP spec's code).
struct ResourceNotFound : RpcError {
    explicit ResourceNotFound(const std::string &uri)
        : RpcError(FASTMCP_ERROR_RESOURCE_NOT_FOUND, "resource not found: " + uri) {}
};

// sample() or elicit() did not get an answer (stateless mode, no client capability, timeout,
// cancelled, or the client answered with a JSON-RPC error). Its message says which.
struct ClientRequestError : ToolError {
    ClientRequestError(int status, const std::string &message, std::string answer = {})
        : ToolError(message), status(status), answer(std::move(answer)) {}
    int status;         // fastmcp_client_status
    std::string answer; // the host's answer as JSON text (the client's error...); empty = none
};

} // namespace fastmcp::module
