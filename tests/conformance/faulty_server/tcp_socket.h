#pragma once
// Plain TCP for the faults that act below gRPC (the silent server, the shaping proxy): an
// owning file descriptor, an IPv4 listener, a connection to a loopback port, and a pipe
// that wakes a poll() loop.

#include <absl/status/statusor.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace faulty {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Listener {
  UniqueFd fd;
  int port = 0;  // the bound port (the one chosen, for port 0)
};

// Listens on "HOST:PORT" (IPv4; "localhost" is 127.0.0.1; port 0 picks a free one).
absl::StatusOr<Listener> listen_tcp(const std::string& listen);

// A non-blocking connection to 127.0.0.1:`port` (connected when this returns).
absl::StatusOr<UniqueFd> connect_loopback(int port);

// Makes `fd` non-blocking.
void set_non_blocking(int fd);

// Closes `fd` with a TCP reset instead of an orderly shutdown, as a crashed peer or a
// middlebox that gives up on a connection does.
void reset_connection(UniqueFd& fd);

// A pipe: a thread blocked in poll() on `read` wakes when another calls wake().
struct WakePipe {
  UniqueFd read;
  UniqueFd write;
  static absl::StatusOr<WakePipe> make();
  void wake() const;
};

}  // namespace faulty
