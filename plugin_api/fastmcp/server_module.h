/*
 * fastmcp server module ABI — a shared object that adds tools to `fastmcp run MODULE.so`.
 *
 * Same discipline as auth_plugin.h: plain C, (pointer, length) strings, structs that start with
 * `struct_size` (or the ABI version) and only ever grow at the end, one exported entry symbol
 * (FASTMCP_SERVER_MODULE_ENTRY_SYMBOL), built with -fvisibility=hidden. The host refuses a
 * module whose ABI major differs from its own.
 *
 * Life cycle:
 *   1. The host dlopens the module and calls the entry symbol once; it returns a static descriptor.
 *   2. The host calls `register_tools(host)` once, from one thread. The module calls
 *      host->add_tool() for each tool. `host` (and everything it points to) stays valid until the
 *      server stops. Returning non-zero (after host->log with the reason) stops the server.
 *   3. Tool handlers run on the request's thread and MAY run concurrently: they must be
 *      thread-safe. A handler calls `respond` exactly once before it returns (a handler that does
 *      not respond gets an isError result). Bytes passed to `respond` are copied by the host.
 *   4. Inside a handler, host->get_access_token() returns the verified token of the request being
 *      served (the C face of fastmcp::get_access_token()); the views it lends are valid until the
 *      handler returns. It returns 0 when auth is off.
 *   5. (ABI 1.1) host->get_env() reads configuration the way the host does: the process
 *      environment first, then the .env file the host loaded (--env-file, $FASTMCP_ENV_FILE or
 *      ./.env). Check host->struct_size before calling it (a 1.0 host has no such field).
 *   6. (ABI 1.2) Inside a handler, when the request is answered with an SSE stream (stateful mode,
 *      a client that accepts text/event-stream), host->notify() sends a JSON-RPC notification to
 *      the client before the result, and host->close_sse_stream() ends the HTTP response now
 *      (SEP-1699 polling): the client reconnects with Last-Event-ID and receives what follows,
 *      the result included. Both return 0 (and do nothing) for a plain JSON response.
 */
#ifndef FASTMCP_SERVER_MODULE_H
#define FASTMCP_SERVER_MODULE_H

#include "fastmcp/auth_plugin.h" /* fastmcp_str, fastmcp_log_level, FASTMCP_AUTH_EXPORT */

#include <stddef.h>
#include <stdint.h>

#define FASTMCP_SERVER_MODULE_ABI_MAJOR 1u
#define FASTMCP_SERVER_MODULE_ABI_MINOR 2u
#define FASTMCP_SERVER_MODULE_ENTRY_SYMBOL "fastmcp_server_module_entry"

#ifdef __cplusplus
extern "C" {
#endif

/* The verified token of the current request. Views are valid until the tool handler returns. */
typedef struct fastmcp_token_view {
    uint32_t struct_size;
    fastmcp_str token; /* the raw credential, byte for byte as presented: handle with care */
    fastmcp_str subject;
    fastmcp_str client_id;
    fastmcp_str issuer;
    const fastmcp_str *scopes;
    size_t scope_count;
    int64_t expires_at;      /* Unix seconds; 0 = none */
    fastmcp_str claims_json; /* all claims as a JSON object */
} fastmcp_token_view;

/* What a tool returns. Give either `content_json` (a JSON array of MCP content blocks: text,
 * image, resource...) or `text` (one text block). `structured_json` (a JSON object) is optional. */
typedef struct fastmcp_tool_result {
    uint32_t struct_size;
    int is_error;            /* non-zero: a tool-level failure (isError: true) */
    fastmcp_str text;
    fastmcp_str content_json;
    fastmcp_str structured_json;
} fastmcp_tool_result;

typedef void (*fastmcp_tool_respond_fn)(void *respond_ctx, const fastmcp_tool_result *result);

/* One tools/call. `arguments_json` is the JSON object of arguments (at least "{}"). */
typedef int (*fastmcp_tool_fn)(void *tool_user, fastmcp_str arguments_json, fastmcp_tool_respond_fn respond,
                               void *respond_ctx);

typedef struct fastmcp_tool_desc {
    uint32_t struct_size;
    const char *name;              /* NUL-terminated; unique within the server */
    const char *description;       /* may be NULL */
    const char *input_schema_json; /* a JSON Schema object; NULL = {"type":"object"} */
    fastmcp_tool_fn handler;
    void *user; /* passed back to handler as tool_user */
} fastmcp_tool_desc;

typedef struct fastmcp_server_host {
    uint32_t struct_size;
    void *ctx;
    /* Returns 0 when the tool was added; non-zero (bad schema, duplicate name) otherwise. */
    int (*add_tool)(void *ctx, const fastmcp_tool_desc *tool);
    /* Thread-safe. Never pass tokens or secrets. */
    void (*log)(void *ctx, int level, const char *message, size_t size);
    /* Returns 1 and fills *out when the current request carries a verified token, else 0.
     * `out->struct_size` must be set by the caller (the host fills at most that many bytes). */
    int (*get_access_token)(void *ctx, fastmcp_token_view *out);
    /* ABI 1.1. Returns 1 and sets *out when the variable `name` is set (process environment, else
     * the host's .env file), else 0. The value stays valid until the server stops. Thread-safe. */
    int (*get_env)(void *ctx, const char *name, size_t name_size, fastmcp_str *out);
    /* ABI 1.2. Sends {"jsonrpc":"2.0","method":method,"params":params_json} on the current
     * request's stream (params_json: a JSON object, or empty for none). Returns 1 when queued. */
    int (*notify)(void *ctx, const char *method, size_t method_size, const char *params_json,
                  size_t params_size);
    /* ABI 1.2. Ends the current request's SSE response now; returns 1 when there was one. */
    int (*close_sse_stream)(void *ctx);
} fastmcp_server_host;

typedef struct fastmcp_server_module {
    uint32_t abi_major; /* FASTMCP_SERVER_MODULE_ABI_MAJOR the module was built with */
    uint32_t abi_minor;
    uint32_t struct_size;
    const char *name;    /* the server name announced in initialize */
    const char *version;
    int (*register_tools)(const fastmcp_server_host *host);
    const char *instructions; /* may be NULL */
} fastmcp_server_module;

/* The entry symbol: extern "C" const fastmcp_server_module *fastmcp_server_module_entry(void); */
typedef const fastmcp_server_module *(*fastmcp_server_module_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FASTMCP_SERVER_MODULE_H */
