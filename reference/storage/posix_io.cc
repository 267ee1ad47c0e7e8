#include "storage/posix_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace reference {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() { return std::exchange(fd_, -1); }

void UniqueFd::reset() {
  // Linux frees the descriptor even when close() fails, so it must never be retried.
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

absl::Status UniqueFd::close() {
  if (fd_ < 0) return absl::OkStatus();
  if (::close(std::exchange(fd_, -1)) != 0) return errno_status(errno, "close", "");
  return absl::OkStatus();
}

absl::Status errno_status(int error, std::string_view what, std::string_view path) {
  std::string message(what);
  if (!path.empty()) message += " " + std::string(path);
  message += ": ";
  message += std::error_code(error, std::generic_category()).message();  // thread-safe
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status write_all(int fd, std::string_view data, std::string_view path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status(errno, "write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status pread_exact(int fd, char* dest, std::size_t length, std::int64_t offset,
                         std::string_view path) {
  while (length > 0) {
    const ssize_t n = ::pread(fd, dest, length, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status(errno, "pread", path);
    }
    if (n == 0) {
      return absl::DataLossError("blob file " + std::string(path) + " is shorter than it was");
    }
    dest += n;
    length -= static_cast<std::size_t>(n);
    offset += n;
  }
  return absl::OkStatus();
}

absl::Status fsync_directory(const std::string& path) {
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errno_status(errno, "open directory", path);
  if (::fsync(dir.get()) != 0) return errno_status(errno, "fsync directory", path);
  return dir.close();
}

}  // namespace reference
