# The systemd unit and its env file. Their absolute paths (ExecStart=, EnvironmentFile=) are those
# of the prefix the tree is installed to, known only at install time (`cmake --install --prefix P`,
# or /usr when cpack installs into its staging DESTDIR), so they are written by an install script:
#   <prefix>/lib/systemd/system/fastmcp.service   ExecStart=<prefix>/bin/fastmcp run ...
#   <sysconfdir>/fastmcp/fastmcp.env              /etc for prefix /usr, else <prefix>/etc (0600)
install(CODE "
  set(FASTMCP_SERVICE_TEMPLATE \"${PROJECT_SOURCE_DIR}/deploy/systemd/fastmcp.service.in\")
  set(FASTMCP_ENV_TEMPLATE \"${PROJECT_SOURCE_DIR}/deploy/systemd/fastmcp.env\")
  set(FASTMCP_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(FASTMCP_SCRATCH_DIR \"${CMAKE_BINARY_DIR}/CMakeFiles\")
  include(\"${CMAKE_CURRENT_LIST_DIR}/InstallServiceFiles.cmake\")
")
