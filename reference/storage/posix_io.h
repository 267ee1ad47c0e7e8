#pragma once
// Thin RAII and error-handling helpers over the POSIX file calls the disk backend makes.

#include <absl/status/status.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace reference {

// Owns one file descriptor and closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset();
  // Closes now and reports the error close() gives (which may mean lost writes).
  absl::Status close();

 private:
  int fd_ = -1;
};

// A status for a failed call that set errno: ENOENT is NOT_FOUND, a full disk or quota is
// RESOURCE_EXHAUSTED (CAS-BUP-04, AC-10), anything else INTERNAL.
absl::Status errno_status(int error, std::string_view what, std::string_view path);

// Writes all of `data`, retrying short writes and EINTR.
absl::Status write_all(int fd, std::string_view data, std::string_view path);
// Reads exactly `length` bytes at `offset` into `dest`; DATA_LOSS if the file is shorter.
absl::Status pread_exact(int fd, char* dest, std::size_t length, std::int64_t offset,
                         std::string_view path);
// Flushes a directory so that entries created, renamed or removed in it are durable.
absl::Status fsync_directory(const std::string& path);

}  // namespace reference
