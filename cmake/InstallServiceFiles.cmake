# Install-time half of FastmcpServiceFiles.cmake (runs inside cmake_install.cmake, where
# CMAKE_INSTALL_PREFIX is the final prefix and DESTDIR the staging root, if any).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconfdir "/etc") # as GNUInstallDirs: /usr/etc does not exist
else()
  set(sysconfdir "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(FASTMCP_BIN "${CMAKE_INSTALL_PREFIX}/${FASTMCP_INSTALL_BINDIR}/fastmcp")
set(FASTMCP_ENV_FILE "${sysconfdir}/fastmcp/fastmcp.env")

# configure_file writes to a scratch copy unique to this install, so that two installs of one
# build tree at once (ctest -j) cannot see each other's paths; file(INSTALL) then honours DESTDIR
# and the install manifest.
string(RANDOM LENGTH 12 tag)
set(scratch "${FASTMCP_SCRATCH_DIR}/fastmcp-service-${tag}")
configure_file("${FASTMCP_SERVICE_TEMPLATE}" "${scratch}/fastmcp.service" @ONLY)
file(INSTALL "${scratch}/fastmcp.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# Never overwrite an env file someone has edited (`cmake --install` over a live install).
if(NOT EXISTS "$ENV{DESTDIR}${FASTMCP_ENV_FILE}")
  file(INSTALL "${FASTMCP_ENV_TEMPLATE}" DESTINATION "${sysconfdir}/fastmcp"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE)
endif()
file(REMOVE_RECURSE "${scratch}")
