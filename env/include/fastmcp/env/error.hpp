// The one exception type of env/: a configuration error whose message is ready for the user.
#pragma once

#include <stdexcept>
#include <string>

namespace fastmcp::env {

// Messages name the exact variable and, for values read from a file, "file:line":
//   ".env:3: FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL: not an absolute URL"
struct EnvError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A value-level error ("not an absolute URL"); callers prefix it with the variable's label.
struct ValueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace fastmcp::env
