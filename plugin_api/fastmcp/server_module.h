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
 *   7. (ABI 1.3) Resources, resource templates, prompts and completions (add_resource,
 *      add_resource_template, add_prompt, called from register_tools like add_tool); a tool's
 *      title, annotations, outputSchema and required scopes (fields appended to
 *      fastmcp_tool_desc: the host reads them only when tool->struct_size covers them).
 *      Every handler (tool, resource, prompt, completion) is called on a blocking-pool thread and
 *      answers through its respond callback exactly once before it returns; the host copies what
 *      it is given. A handler that does not respond gets an error answer.
 *      Inside any handler: log_message, report_progress, is_cancelled, sample and elicit act on the
 *      request being served (they return 0 / do nothing outside a handler). notify_* may be called
 *      at any time from any thread. Check host->struct_size covers a function before calling it.
 *   8. (ABI 1.3) Required scopes: a tool, resource (template) or prompt with required scopes is
 *      listed only to a caller whose token holds all of them; calling it without them answers
 *      HTTP 403 insufficient_scope (step-up). With auth off, required scopes are ignored.
 */
#ifndef FASTMCP_SERVER_MODULE_H
#define FASTMCP_SERVER_MODULE_H

#include "fastmcp/auth_plugin.h" /* fastmcp_str, fastmcp_log_level, FASTMCP_AUTH_EXPORT */

#include <stddef.h>
#include <stdint.h>

#define FASTMCP_SERVER_MODULE_ABI_MAJOR 1u
#define FASTMCP_SERVER_MODULE_ABI_MINOR 3u
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
    /* ABI 1.3 (read only when struct_size covers them; NULL / 0 = none). */
    const char *title;
    const char *annotations_json;      /* a JSON object: ToolAnnotations (readOnlyHint...) */
    const char *output_schema_json;    /* a JSON Schema object; structuredContent is checked against it */
    const char *const *required_scopes; /* NUL-terminated strings */
    size_t required_scope_count;
} fastmcp_tool_desc;

/* ---- ABI 1.3: resources, prompts, completion, handler context ---- */

/* MCP logging levels (RFC 5424 severities, MCP's names), for log_message. */
typedef enum fastmcp_mcp_log_level {
    FASTMCP_MCP_LOG_DEBUG = 0,
    FASTMCP_MCP_LOG_INFO = 1,
    FASTMCP_MCP_LOG_NOTICE = 2,
    FASTMCP_MCP_LOG_WARNING = 3,
    FASTMCP_MCP_LOG_ERROR = 4,
    FASTMCP_MCP_LOG_CRITICAL = 5,
    FASTMCP_MCP_LOG_ALERT = 6,
    FASTMCP_MCP_LOG_EMERGENCY = 7
} fastmcp_mcp_log_level;

/* JSON-RPC error codes a resource/prompt/completion handler may answer with. */
#define FASTMCP_ERROR_INVALID_PARAMS (-32602)
#define FASTMCP_ERROR_INTERNAL (-32603)
#define FASTMCP_ERROR_RESOURCE_NOT_FOUND (-32002)

/* One item of resources/read's `contents`. */
typedef struct fastmcp_resource_content {
    uint32_t struct_size;
    fastmcp_str uri;       /* empty = the URI that was read */
    fastmcp_str mime_type; /* empty = the resource's declared mimeType, else none */
    int is_blob;           /* 0: `data` is UTF-8 text; 1: `data` is raw bytes (the host base64-encodes) */
    fastmcp_str data;
} fastmcp_resource_content;

typedef struct fastmcp_resource_result {
    uint32_t struct_size;
    const fastmcp_resource_content *contents;
    size_t content_count;
    int error_code;          /* non-zero: answer a JSON-RPC error instead (e.g. RESOURCE_NOT_FOUND) */
    fastmcp_str error_message;
} fastmcp_resource_result;

typedef void (*fastmcp_resource_respond_fn)(void *respond_ctx, const fastmcp_resource_result *result);

/* One resources/read. `uri` is the URI requested; `variables_json` is a JSON object of the
 * template's variables (strings) when the resource is a template, "{}" for a static one. */
typedef int (*fastmcp_resource_fn)(void *resource_user, fastmcp_str uri, fastmcp_str variables_json,
                                   fastmcp_resource_respond_fn respond, void *respond_ctx);

/* completion/complete's answer: at most 100 values are sent. */
typedef struct fastmcp_completion_result {
    uint32_t struct_size;
    const fastmcp_str *values;
    size_t value_count;
    int64_t total;  /* total number of matches; < 0 = not given */
    int has_more;   /* non-zero: more values exist than were sent */
    int error_code; /* non-zero: a JSON-RPC error instead */
    fastmcp_str error_message;
} fastmcp_completion_result;

typedef void (*fastmcp_completion_respond_fn)(void *respond_ctx, const fastmcp_completion_result *result);

/* One completion/complete for a prompt argument or a template variable: `argument_name` and the
 * partial `argument_value`; `context_json` is the request's context.arguments object ("{}" if none). */
typedef int (*fastmcp_completion_fn)(void *user, fastmcp_str argument_name, fastmcp_str argument_value,
                                     fastmcp_str context_json, fastmcp_completion_respond_fn respond,
                                     void *respond_ctx);

/* A static resource (add_resource: `uri` is exact) or a template (add_resource_template: `uri` is
 * an RFC 6570 level 1 uriTemplate, e.g. "file:///{path}"). */
typedef struct fastmcp_resource_desc {
    uint32_t struct_size;
    const char *uri;
    const char *name;        /* required */
    const char *title;       /* may be NULL */
    const char *description; /* may be NULL */
    const char *mime_type;   /* may be NULL */
    fastmcp_resource_fn handler;
    void *user; /* passed back to handler and complete */
    const char *const *required_scopes;
    size_t required_scope_count;
    fastmcp_completion_fn complete; /* templates: completes variables; NULL = no completions */
    const char *annotations_json;   /* may be NULL: a JSON object (audience, priority...) */
} fastmcp_resource_desc;

typedef struct fastmcp_prompt_argument {
    uint32_t struct_size;
    const char *name;
    const char *description; /* may be NULL */
    int required;
    const char *title; /* may be NULL */
} fastmcp_prompt_argument;

/* prompts/get's answer. `messages_json` is a JSON array of PromptMessage ({"role":"user"|"assistant",
 * "content":{text | image | audio | resource_link | resource}}). */
typedef struct fastmcp_prompt_result {
    uint32_t struct_size;
    fastmcp_str description; /* may be empty */
    fastmcp_str messages_json;
    int error_code; /* non-zero: a JSON-RPC error instead (e.g. INVALID_PARAMS) */
    fastmcp_str error_message;
} fastmcp_prompt_result;

typedef void (*fastmcp_prompt_respond_fn)(void *respond_ctx, const fastmcp_prompt_result *result);

/* One prompts/get. `arguments_json` is a JSON object of string arguments (at least "{}"); the
 * host has checked that required arguments are present. */
typedef int (*fastmcp_prompt_fn)(void *prompt_user, fastmcp_str arguments_json, fastmcp_prompt_respond_fn respond,
                                 void *respond_ctx);

typedef struct fastmcp_prompt_desc {
    uint32_t struct_size;
    const char *name;
    const char *title;       /* may be NULL */
    const char *description; /* may be NULL */
    const fastmcp_prompt_argument *arguments;
    size_t argument_count;
    fastmcp_prompt_fn handler;
    void *user; /* passed back to handler and complete */
    const char *const *required_scopes;
    size_t required_scope_count;
    fastmcp_completion_fn complete; /* completes arguments; NULL = no completions */
} fastmcp_prompt_desc;

/* How a server-to-client request (sample, elicit) ended. */
typedef enum fastmcp_client_status {
    FASTMCP_CLIENT_OK = 0,          /* result_json: the client's JSON-RPC result object */
    FASTMCP_CLIENT_ERROR = 1,       /* result_json: the client's JSON-RPC error object */
    FASTMCP_CLIENT_TIMEOUT = 2,     /* no answer within the timeout */
    FASTMCP_CLIENT_UNSUPPORTED = 3, /* stateless mode, no handler context, or the client did not
                                       declare the capability; result_json: {"message": why} */
    FASTMCP_CLIENT_CANCELLED = 4    /* the request being served was cancelled meanwhile */
} fastmcp_client_status;

/* What sample/elicit return. The host owns result_json; it stays valid until the handler returns. */
typedef struct fastmcp_client_result {
    uint32_t struct_size;
    int status; /* fastmcp_client_status */
    fastmcp_str result_json;
} fastmcp_client_result;

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

    /* ---- ABI 1.3. Registration (inside register_tools): 0 = added, non-zero = refused. ---- */
    int (*add_resource)(void *ctx, const fastmcp_resource_desc *resource);
    int (*add_resource_template)(void *ctx, const fastmcp_resource_desc *resource_template);
    int (*add_prompt)(void *ctx, const fastmcp_prompt_desc *prompt);

    /* ---- ABI 1.3. Inside a handler (about the request being served). ---- */
    /* notifications/message to the client, sent only when `level` (fastmcp_mcp_log_level) is at or
     * above the session's logging/setLevel. data_json: any JSON value; logger may be NULL.
     * Returns 1 when sent. Never pass tokens or secrets. */
    int (*log_message)(void *ctx, int level, const char *data_json, size_t data_size, const char *logger,
                       size_t logger_size);
    /* notifications/progress when the request carried a progressToken. total < 0 = unknown;
     * message may be NULL. Returns 1 when sent. */
    int (*report_progress)(void *ctx, double progress, double total, const char *message, size_t message_size);
    /* 1 once the client sent notifications/cancelled for this request (the answer is then dropped). */
    int (*is_cancelled)(void *ctx);
    /* sampling/createMessage: params_json is the request's params object (messages, maxTokens...).
     * Blocks until the client answers, timeout_ms passes (0 = the host default, 60 s) or the request
     * is cancelled. Needs a session (stateful mode) and a client with the sampling capability.
     * Returns out->status; out->struct_size must be set by the caller. */
    int (*sample)(void *ctx, const char *params_json, size_t params_size, uint32_t timeout_ms,
                  fastmcp_client_result *out);
    /* elicitation/create (form mode) with `message` and `requested_schema_json` (a JSON object
     * schema). Same blocking and status rules as sample. An OK result_json is
     * {"action":"accept"|"decline"|"cancel","content":{...}}. */
    int (*elicit)(void *ctx, const char *message, size_t message_size, const char *requested_schema_json,
                  size_t schema_size, uint32_t timeout_ms, fastmcp_client_result *out);

    /* ---- ABI 1.3. Any time, any thread (after register_tools). Return the number of sessions
     * notified (0 in stateless mode). ---- */
    /* notifications/resources/updated to the sessions subscribed to `uri`. */
    int (*notify_resource_updated)(void *ctx, const char *uri, size_t uri_size);
    int (*notify_resource_list_changed)(void *ctx);
    int (*notify_tool_list_changed)(void *ctx);
    int (*notify_prompt_list_changed)(void *ctx);
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
