# `cpack -G DEB` (run in the build tree after building): one package, prefix /usr, with the
# binaries, the provider modules, the plugin ABI headers, the CMake package, fastmcp.pc, the
# systemd unit and /etc/fastmcp/fastmcp.env (a conffile: dpkg keeps local edits on upgrade).
# Runtime dependencies come from the shared libraries the binaries link (dpkg-shlibdeps).

# cpack and `make install` install what is built; they do not first build `all` (the tests and
# benchmarks, most of the build). Build first: `cmake --build build` (or just the installed targets).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_PACKAGE_NAME "fastmcp")
set(CPACK_PACKAGE_VENDOR "fastmcp-cpp")
set(CPACK_PACKAGE_CONTACT "fastmcp-cpp maintainers <fastmcp-cpp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MCP server runtime with dlopen'ed OAuth providers (AuthKit, JWT, Supabase, introspection)")
set(CPACK_PACKAGE_DESCRIPTION
    "fastmcp runs MCP servers over Streamable HTTP; authentication is a provider module chosen by environment variables, as in FastMCP. Includes the plugin ABI headers, a CMake package and pkg-config file for building modules, and a systemd unit.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB")
# The install scripts see CMAKE_INSTALL_PREFIX=/usr and DESTDIR=<staging> (not a staging prefix),
# so the systemd unit is written with /usr/bin/fastmcp.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # fastmcp_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON) # as Debian packages: no debug info in the .deb
file(WRITE "${CMAKE_BINARY_DIR}/deb/conffiles" "/etc/fastmcp/fastmcp.env\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${CMAKE_BINARY_DIR}/deb/conffiles")

include(CPack)
