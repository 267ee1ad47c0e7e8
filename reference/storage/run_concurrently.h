#pragma once
// Runs many small blocking jobs (fdatasync, fsync of a directory) from a few threads at
// once, so that the filesystem can serve them together (e.g. in one journal commit) instead
// of one after the other.

#include <cstddef>
#include <functional>

namespace reference {

// Calls task(0) ... task(count - 1), each exactly once, from up to `max_threads` threads
// (the caller's among them), and returns when all have returned. Order is unspecified; the
// tasks must not throw. If no thread can be started, the caller runs them all.
void run_concurrently(std::size_t count, std::size_t max_threads,
                      const std::function<void(std::size_t)>& task);

}  // namespace reference
