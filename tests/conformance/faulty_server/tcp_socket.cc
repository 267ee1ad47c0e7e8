#include "tcp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace faulty {

absl::StatusOr<Listener> listen_tcp(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("--listen must be HOST:PORT");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  const std::string host = listen.substr(0, colon);
  if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &address.sin_addr) !=
      1) {
    return absl::InvalidArgumentError("this fault listens on IPv4 only, not '" + host + "'");
  }
  const std::string_view port_text = std::string_view(listen).substr(colon + 1);
  std::uint16_t port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size()) {
    return absl::InvalidArgumentError("bad port in '" + listen + "'");
  }
  address.sin_port = htons(port);

  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t length = sizeof address;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), 64) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return absl::UnavailableError("could not listen on " + listen + ": " + std::strerror(errno));
  }
  return Listener{std::move(fd), ntohs(address.sin_port)};
}

absl::StatusOr<UniqueFd> connect_loopback(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return absl::UnavailableError("connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                  std::strerror(errno));
  }
  set_non_blocking(fd.get());
  return fd;
}

void set_non_blocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void reset_connection(UniqueFd& fd) {
  // A zero linger time makes close() send RST and drop whatever is still queued.
  const linger abort_on_close{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  fd.reset();
}

absl::StatusOr<WakePipe> WakePipe::make() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(std::string("pipe: ") + std::strerror(errno));
  }
  return WakePipe{UniqueFd(ends[0]), UniqueFd(ends[1])};
}

void WakePipe::wake() const {
  const char byte = 0;
  (void)!::write(write.get(), &byte, 1);
}

}  // namespace faulty
