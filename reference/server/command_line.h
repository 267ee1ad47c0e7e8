#pragma once
// The reference-server command line: parses argv into a ServerConfig.

#include <absl/status/statusor.h>

#include "server/server_config.h"

namespace reference {

// Parses the command line. On --help, prints usage and returns CANCELLED with an empty
// message (exit 0); on a bad option returns INVALID_ARGUMENT with what to fix.
absl::StatusOr<ServerConfig> parse_command_line(int argc, const char* const* argv);

}  // namespace reference
