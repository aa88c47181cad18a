// supabase.so: the module's single exported entry symbol, describing SupabaseProvider.
#include "fastmcp/supabase/settings_schema.hpp"
#include "fastmcp/supabase/supabase_provider.hpp"

namespace fastmcp::supabase {
namespace {

constexpr fastmcp_provider_desc kDesc = plugin::make_provider_desc<SupabaseProvider>(
    kProviderName, kEnvPrefix,
    "Supabase Auth: verifies Supabase-issued JWT access tokens (ES256/RS256 signing keys)",
    kFields.data(), kFieldCount);

} // namespace
} // namespace fastmcp::supabase

FASTMCP_AUTH_MODULE("supabase", "0.1.0", &fastmcp::supabase::kDesc);
