/*
 * fastmcp auth plugin ABI — the one header that the host and every provider module compile against.
 *
 * Rules (see docs/plugin-abi.md):
 *  - Plain C. No C++ types, exceptions or allocator ownership cross this boundary. Strings are
 *    (pointer, length) pairs; memory that one side produces is lent to the other only for the
 *    duration of a callback.
 *  - Every struct starts with `struct_size` (or the ABI version for the module descriptor) and fields
 *    are only ever appended. A reader checks `struct_size` before touching a field added later.
 *  - The host refuses a module whose ABI major differs from its own; minor versions are compatible.
 *  - One exported symbol per shared object: FASTMCP_AUTH_ENTRY_SYMBOL. Build with
 *    -fvisibility=hidden.
 *
 * Concurrency contract:
 *  - create/destroy/describe are called from one thread at a time.
 *  - verify and handle_route MAY be called concurrently from many threads on the same provider and
 *    must be thread-safe. They must not call back into the host except through fastmcp_host_api.
 *  - Every fastmcp_host_api function is thread-safe.
 */
#ifndef FASTMCP_AUTH_PLUGIN_H
#define FASTMCP_AUTH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define FASTMCP_AUTH_ABI_MAJOR 1u
#define FASTMCP_AUTH_ABI_MINOR 2u
#define FASTMCP_AUTH_ENTRY_SYMBOL "fastmcp_auth_module"

#if defined(__GNUC__) || defined(__clang__)
#define FASTMCP_AUTH_EXPORT __attribute__((visibility("default")))
#else
#define FASTMCP_AUTH_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed byte string; not NUL-terminated unless stated. */
typedef struct fastmcp_str {
    const char *data;
    size_t size;
} fastmcp_str;

/* Receives bytes lent for the duration of the call. */
typedef void (*fastmcp_bytes_fn)(void *user, const char *data, size_t size);

/* ---- Stable verdict reason codes. Values and names never change; new ones are appended. ---- */
typedef enum fastmcp_reason {
    FASTMCP_REASON_OK = 0,
    FASTMCP_REASON_MISSING_TOKEN = 1,      /* no credentials presented */
    FASTMCP_REASON_MALFORMED = 2,          /* not a JWS compact token (parts, structure) */
    FASTMCP_REASON_BAD_BASE64 = 3,         /* a part is not strict base64url */
    FASTMCP_REASON_BAD_JSON = 4,           /* header or payload is not a JSON object */
    FASTMCP_REASON_TOKEN_TOO_LARGE = 5,    /* over the configured size limit */
    FASTMCP_REASON_UNSUPPORTED_CRIT = 6,   /* `crit` names a header we do not understand */
    FASTMCP_REASON_ALG_NOT_ALLOWED = 7,    /* `none`, or not in the configured list */
    FASTMCP_REASON_ALG_KEY_MISMATCH = 8,   /* key type or key `alg` does not fit the token's alg */
    FASTMCP_REASON_UNKNOWN_KID = 9,        /* no key with that kid, even after a refetch */
    FASTMCP_REASON_NO_MATCHING_KEY = 10,   /* no kid and not exactly one usable key for the alg */
    FASTMCP_REASON_BAD_SIGNATURE = 11,     /* signature does not verify (incl. wrong length) */
    FASTMCP_REASON_EXPIRED = 12,           /* now > exp + leeway */
    FASTMCP_REASON_NOT_YET_VALID = 13,     /* now < nbf - leeway */
    FASTMCP_REASON_ISSUED_IN_FUTURE = 14,  /* iat > now + leeway */
    FASTMCP_REASON_MISSING_CLAIM = 15,     /* a required claim (exp, iss, sub...) is absent */
    FASTMCP_REASON_BAD_CLAIM = 16,         /* a claim has the wrong type (non-numeric exp...) */
    FASTMCP_REASON_WRONG_ISSUER = 17,
    FASTMCP_REASON_WRONG_AUDIENCE = 18,
    FASTMCP_REASON_INSUFFICIENT_SCOPE = 19, /* valid token lacking a required scope: HTTP 403 */
    FASTMCP_REASON_JWKS_UNAVAILABLE = 20,   /* no key set could be obtained yet */
    FASTMCP_REASON_INACTIVE = 21,           /* introspection said active=false */
    FASTMCP_REASON_UNKNOWN_TOKEN = 22,      /* opaque token not known (static tokens) */
    FASTMCP_REASON_NOT_IMPLEMENTED = 23,
    FASTMCP_REASON_INTERNAL_ERROR = 24,     /* provider failed; never means "allow" */
    FASTMCP_REASON_PROVIDER_TIMEOUT = 25,   /* host watchdog: provider did not answer in time */
    FASTMCP_REASON_INTROSPECTION_UNAVAILABLE = 26,
    FASTMCP_REASON_COUNT_ = 27
} fastmcp_reason;

/* The stable snake_case name of a reason code ("expired", "unknown_kid", ...). */
static inline const char *fastmcp_reason_name(int reason) {
    static const char *const names[] = {
        "ok",
        "missing_token",
        "malformed",
        "bad_base64",
        "bad_json",
        "token_too_large",
        "unsupported_crit",
        "alg_not_allowed",
        "alg_key_mismatch",
        "unknown_kid",
        "no_matching_key",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "issued_in_future",
        "missing_claim",
        "bad_claim",
        "wrong_issuer",
        "wrong_audience",
        "insufficient_scope",
        "jwks_unavailable",
        "inactive",
        "unknown_token",
        "not_implemented",
        "internal_error",
        "provider_timeout",
        "introspection_unavailable",
    };
    if (reason < 0 || reason >= (int)FASTMCP_REASON_COUNT_) return "internal_error";
    return names[reason];
}

/* ---- Settings schema: lets the host read, validate and print any provider's configuration. ---- */
typedef enum fastmcp_field_type {
    FASTMCP_FIELD_STRING = 1,   /* JSON string */
    FASTMCP_FIELD_URL = 2,      /* JSON string, validated absolute http(s) URL, no trailing slash */
    FASTMCP_FIELD_SCOPES = 3,   /* JSON array of strings: comma/space list or JSON list, deduped */
    FASTMCP_FIELD_BOOL = 4,     /* JSON bool: true/false/1/0/yes/no/on/off */
    FASTMCP_FIELD_INT = 5,      /* JSON integer */
    FASTMCP_FIELD_DURATION = 6, /* JSON number of seconds: "60", "60s", "500ms", "10m", "1h" */
    FASTMCP_FIELD_LIST = 7,     /* JSON array of strings, same grammar as scopes (not deduped) */
    FASTMCP_FIELD_JSON = 8      /* any JSON value, given as JSON text */
} fastmcp_field_type;

#define FASTMCP_FIELD_REQUIRED 0x1u
#define FASTMCP_FIELD_SECRET 0x2u /* masked in every output; never logged */

typedef struct fastmcp_setting_field {
    uint32_t struct_size;
    const char *name;          /* env suffix, e.g. "AUTHKIT_DOMAIN"; settings key is its lower case */
    uint32_t type;             /* fastmcp_field_type */
    uint32_t flags;            /* FASTMCP_FIELD_* */
    const char *default_value; /* in env syntax, or NULL for none */
    const char *help;          /* one line */
    const char *example;       /* in env syntax, or NULL */
} fastmcp_setting_field;

/* ---- Services the host lends to providers. All are thread-safe. ---- */
typedef enum fastmcp_log_level {
    FASTMCP_LOG_DEBUG = 10,
    FASTMCP_LOG_INFO = 20,
    FASTMCP_LOG_WARNING = 30,
    FASTMCP_LOG_ERROR = 40
} fastmcp_log_level;

typedef struct fastmcp_http_header {
    fastmcp_str name;
    fastmcp_str value;
} fastmcp_http_header;

typedef struct fastmcp_http_request {
    uint32_t struct_size;
    const char *method; /* "GET" or "POST" */
    fastmcp_str url;
    const fastmcp_http_header *headers;
    size_t header_count;
    fastmcp_str body;           /* for POST */
    uint32_t timeout_ms;        /* whole exchange; 0 = host default */
    uint64_t max_response_bytes; /* larger bodies fail with status 0; 0 = host default */
} fastmcp_http_request;

typedef struct fastmcp_http_response {
    uint32_t struct_size;
    int status;       /* HTTP status, or 0 when the exchange failed (see error) */
    fastmcp_str body;
    fastmcp_str content_type;
    fastmcp_str error; /* why the exchange failed: refused, timeout, too large, TLS... */
} fastmcp_http_response;

typedef void (*fastmcp_http_response_fn)(void *user, const fastmcp_http_response *response);

typedef struct fastmcp_host_api {
    uint32_t struct_size;
    void *ctx;
    /* Log one message. Providers never pass tokens or secrets here. */
    void (*log)(void *ctx, int level, const char *message, size_t size);
    /* Wall clock in Unix milliseconds. Tests inject a fake one. */
    int64_t (*now_ms)(void *ctx);
    /* Synchronous HTTP exchange; calls on_response exactly once before it returns. */
    void (*http_fetch)(void *ctx, const fastmcp_http_request *request,
                       fastmcp_http_response_fn on_response, void *user);
    /* Where the host serves MCP, e.g. "/mcp"; the resource URL is BASE_URL + mcp_path. */
    fastmcp_str mcp_path;
    /* The address the host binds to, and whether it is loopback only. */
    fastmcp_str bind_host;
    int bind_is_loopback;
} fastmcp_host_api;

/* ---- Verification ---- */
typedef struct fastmcp_verdict {
    uint32_t struct_size;
    int32_t reason;             /* fastmcp_reason */
    fastmcp_str description;    /* short human text for error_description; never holds the token */
    fastmcp_str required_scope; /* space-separated scopes; set with INSUFFICIENT_SCOPE */
    /* The verified token; set when reason is OK (and for INSUFFICIENT_SCOPE). */
    fastmcp_str token; /* the raw credential, byte for byte as presented */
    fastmcp_str subject;
    fastmcp_str client_id;
    fastmcp_str issuer;
    const fastmcp_str *scopes;
    size_t scope_count;
    int64_t expires_at;      /* Unix seconds; 0 when the token has none */
    fastmcp_str claims_json; /* all claims as a JSON object */
} fastmcp_verdict;

typedef void (*fastmcp_verdict_fn)(void *user, const fastmcp_verdict *verdict);

/* ---- Routes a provider serves (metadata documents) ---- */
typedef struct fastmcp_route_request {
    uint32_t struct_size;
    fastmcp_str method;
    fastmcp_str path;
    fastmcp_str query;
    const fastmcp_http_header *headers;
    size_t header_count;
    /* ABI 1.2 (check struct_size): the request body, read by the host for POST routes (an OAuth
     * authorization server's /register, /token, consent form). Empty for GET. */
    fastmcp_str body;
} fastmcp_route_request;

typedef struct fastmcp_route_response {
    uint32_t struct_size;
    int status;
    fastmcp_str content_type;
    fastmcp_str body;
    const fastmcp_http_header *headers;
    size_t header_count;
} fastmcp_route_response;

typedef void (*fastmcp_route_response_fn)(void *user, const fastmcp_route_response *response);

/* ---- One provider ---- */
typedef struct fastmcp_provider_desc {
    uint32_t struct_size;
    const char *name;       /* class name, e.g. "AuthKitProvider" */
    const char *env_prefix; /* e.g. "FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_" */
    const char *summary;    /* one line */
    const fastmcp_setting_field *fields;
    size_t field_count;

    /* Build a provider from validated settings (a JSON object keyed by lower-case field names,
     * values typed per the schema, defaults applied). Returns 0 and sets *out on success; otherwise
     * calls on_error with a message that names the offending variable, and returns non-zero.
     * `host` stays valid until destroy. */
    int (*create)(const fastmcp_host_api *host, const char *settings_json, size_t settings_size,
                  void **out, fastmcp_bytes_fn on_error, void *error_user);
    void (*destroy)(void *self);

    /* Verify one credential. Thread-safe. Calls on_verdict exactly once and returns 0; a non-zero
     * return (internal failure) means "reject" to the host. */
    int (*verify)(void *self, const char *token, size_t token_size, fastmcp_verdict_fn on_verdict,
                  void *user);

    /* A JSON object describing the live provider:
     * {"resource": "...", "resource_metadata_url": "...", "issuer": "...",
     *  "authorization_servers": [...], "required_scopes": [...], "routes": ["/.well-known/..."],
     *  "warnings": [...], "health": {"ready": bool, ...}}.  Returns 0 on success. */
    int (*describe)(void *self, fastmcp_bytes_fn on_json, void *user);

    /* Serve one of the routes listed by describe. Thread-safe. Returns 1 when handled (and
     * on_response was called once), 0 when the path is not the provider's. */
    int (*handle_route)(void *self, const fastmcp_route_request *request,
                        fastmcp_route_response_fn on_response, void *user);

    /* ABI 1.1 (check struct_size; may be NULL). Verify from what the provider already holds,
     * without blocking: a cache of verified tokens, a static table. It must not fetch, wait on
     * I/O or on a lock held across I/O, and should take about a microsecond; the host calls it on
     * its event loop. Returns 1 after calling on_verdict exactly once; 0 (on_verdict not called)
     * when the answer needs real work, and the host then calls verify on a worker thread.
     * Thread-safe. */
    int (*verify_cached)(void *self, const char *token, size_t token_size,
                         fastmcp_verdict_fn on_verdict, void *user);
} fastmcp_provider_desc;

/* ---- The module: what the single entry symbol returns ---- */
typedef struct fastmcp_auth_module {
    uint32_t abi_major; /* FASTMCP_AUTH_ABI_MAJOR the module was built with */
    uint32_t abi_minor;
    uint32_t struct_size;
    const char *module_name; /* e.g. "workos" */
    const char *module_version;
    const fastmcp_provider_desc *const *providers;
    size_t provider_count;
} fastmcp_auth_module;

typedef const fastmcp_auth_module *(*fastmcp_auth_module_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FASTMCP_AUTH_PLUGIN_H */
