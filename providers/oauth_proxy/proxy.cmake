# The OAuth proxy core (issue 15): endpoints, consent, the proxy's own tokens, upstream clients.
# Included from providers/oauth_proxy/CMakeLists.txt; linked by the proxy modules (oidc_proxy.so,
# github.so) and its unit tests. Links the state store (fastmcp_oauth_state).
add_library(fastmcp_oauth_proxy STATIC
  src/form.cpp
  src/pkce.cpp
  src/redirect_policy.cpp
  src/proxy_tokens.cpp
  src/upstream.cpp
  src/oidc_upstream.cpp
  src/github_upstream.cpp
  src/validity_cache.cpp
  src/opaque_token_upstream.cpp
  src/client_metadata_documents.cpp
  src/http_answers.cpp
  src/consent_page.cpp
  src/oauth_proxy.cpp
  src/registration.cpp
  src/authorize_flow.cpp
  src/token_endpoint.cpp
  src/proxy_settings.cpp)
target_include_directories(fastmcp_oauth_proxy PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(fastmcp_oauth_proxy PUBLIC fastmcp_oauth_state fastmcp_jwt_core fastmcp_jose
  fastmcp_plugin_api nlohmann_json::nlohmann_json OpenSSL::Crypto PRIVATE Poco::Foundation)
