// Discovery for the MCP authorization flow: where the protected-resource metadata (RFC 9728) and
// the authorization-server metadata (RFC 8414 / OpenID Discovery) live, and whether a metadata
// document really belongs to the server we asked about. Pure functions, no I/O.
#pragma once

#include <string>
#include <vector>

namespace fastmcp::client {

// RFC 9728 §3.1 well-known URLs for an MCP server URL, path-specific first, then the root form.
std::vector<std::string> protected_resource_metadata_urls(const std::string &server_url);

// Where to look for an issuer's metadata, in order (MCP 2025-06-18 §2.3.2 / RFC 8414 §3.1):
// oauth-authorization-server with the path inserted, openid-configuration with the path inserted,
// openid-configuration appended to the path.
std::vector<std::string> authorization_server_metadata_urls(const std::string &issuer);

// RFC 9728 §3.3: the `resource` in the metadata must identify the server we talk to. We accept the
// same origin with our path equal to, or below, the resource's path (trailing slashes ignored).
bool resource_matches(const std::string &server_url, const std::string &resource);

// RFC 8414 §3.3: the issuer in the document must equal the one we asked (trailing slash ignored).
bool issuer_matches(const std::string &expected, const std::string &actual);

// scheme://host[:port], lowercased, default port omitted.
std::string origin_of(const std::string &url);

} // namespace fastmcp::client
