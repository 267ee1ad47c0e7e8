#pragma once
// The server's --storage option: which backend to build, and how large.
//   memory:SIZE              e.g. memory:2GiB
//   disk:PATH:SIZE           e.g. disk:/var/cas:50GiB (PATH is absolute and may contain ':')
//   cache:FRONT,BACK         e.g. cache:memory:256MiB,disk:/var/cas:50GiB; FRONT is any spec
//                            without ',', BACK any spec (see caching_storage.h)
// SIZE is as reapi::parse_byte_size reads it and must be more than 0.

#include <absl/status/statusor.h>

#include <memory>
#include <string_view>

#include "storage/storage.h"

namespace reference {

// INVALID_ARGUMENT with the reason for a malformed spec; a disk backend's own errors (e.g.
// an unwritable directory) as DiskStorage::open reports them.
absl::StatusOr<std::unique_ptr<Storage>> open_storage(std::string_view spec);

}  // namespace reference
