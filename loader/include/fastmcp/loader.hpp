// Umbrella header for the provider loader.
#pragma once

#include "fastmcp/loader/provider_handle.hpp"
