# `cmake --install` also installs a CMake package and a pkg-config file for the plugin ABI, so that
# providers and server modules build out of tree:
#   find_package(fastmcp CONFIG REQUIRED)  ->  target_link_libraries(m PRIVATE fastmcp::plugin_api)
#   pkg-config --cflags fastmcp
# The ABI is header-only and the same on every architecture, so both live under share/ (found by
# CMake and pkg-config under any prefix, multiarch or not). Every path inside is relative to the
# installed file, so an install tree can be moved.
include(CMakePackageConfigHelpers)

set(FASTMCP_CMAKE_DIR "share/cmake/fastmcp")

install(TARGETS fastmcp_plugin_api EXPORT fastmcpTargets)
install(EXPORT fastmcpTargets NAMESPACE fastmcp:: DESTINATION "${FASTMCP_CMAKE_DIR}")

set(FASTMCP_INSTALL_BINDIR "${CMAKE_INSTALL_BINDIR}")
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/fastmcpConfig.cmake.in"
  "${CMAKE_CURRENT_BINARY_DIR}/fastmcpConfig.cmake"
  INSTALL_DESTINATION "${FASTMCP_CMAKE_DIR}"
  PATH_VARS FASTMCP_INSTALL_BINDIR FASTMCP_PROVIDER_SUBDIR
  NO_CHECK_REQUIRED_COMPONENTS_MACRO)
# The module ABI is versioned by its own major/minor (checked at load); the package follows semver.
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/fastmcpConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/fastmcpConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/fastmcpConfigVersion.cmake"
        DESTINATION "${FASTMCP_CMAKE_DIR}")

configure_file("${CMAKE_CURRENT_LIST_DIR}/fastmcp.pc.in" "${CMAKE_CURRENT_BINARY_DIR}/fastmcp.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/fastmcp.pc" DESTINATION "share/pkgconfig")
