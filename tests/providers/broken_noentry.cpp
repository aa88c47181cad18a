// A shared object that is not a provider module: it exports no fastmcp_auth_module symbol.
#include "fastmcp/auth_plugin.h"

extern "C" FASTMCP_AUTH_EXPORT int not_the_entry_symbol(void) { return 42; }
