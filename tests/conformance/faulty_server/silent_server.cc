#include "silent_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "fault_plan.h"

namespace faulty {

absl::StatusOr<std::unique_ptr<SilentServer>> SilentServer::start(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("--listen must be HOST:PORT");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  const std::string host = listen.substr(0, colon);
  if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &address.sin_addr) !=
      1) {
    return absl::InvalidArgumentError("hang-all listens on IPv4 only, not '" + host + "'");
  }
  const std::string_view port_text = std::string_view(listen).substr(colon + 1);
  std::uint16_t port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size()) {
    return absl::InvalidArgumentError("bad port in '" + listen + "'");
  }
  address.sin_port = htons(port);

  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 64) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length)) {
    const std::string reason = std::strerror(errno);
    close(fd);
    return absl::UnavailableError("could not listen on " + listen + ": " + reason);
  }
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) {
    close(fd);
    return absl::InternalError(std::string("pipe: ") + std::strerror(errno));
  }
  return std::make_unique<SilentServer>(fd, wake[0], wake[1], ntohs(address.sin_port));
}

SilentServer::SilentServer(int listen_fd, int wake_read_fd, int wake_write_fd, int port)
    : listen_fd_(listen_fd),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd),
      port_(port),
      thread_([this] { run(); }) {}

SilentServer::~SilentServer() {
  const char stop = 0;
  (void)!write(wake_write_fd_, &stop, 1);
  thread_.join();
  close(listen_fd_);
  close(wake_read_fd_);
  close(wake_write_fd_);
}

void SilentServer::run() {
  // fds[0]: the wake pipe, fds[1]: the listener, then the connections.
  std::vector<pollfd> fds{{wake_read_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
  char buffer[16 * 1024];
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      const int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection >= 0) fds.push_back({connection, POLLIN, 0});
    }
    for (std::size_t i = 2; i < fds.size();) {
      if (fds[i].revents != 0 && read(fds[i].fd, buffer, sizeof buffer) <= 0) {
        close(fds[i].fd);  // the client gave up
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      ++i;
    }
  }
  for (std::size_t i = 2; i < fds.size(); ++i) close(fds[i].fd);
}

std::vector<FaultEntry> silent_faults() {
  // A server that never answers: the suite must give up (non-zero) well within its bound.
  return {
      {.name = "hang-all",
       .description = "a TCP socket that accepts connections and never answers",
       .make = [] { return FaultPlan{.silent_socket = true}; },
       .expect = {.extra_args = {"--run-timeout", "40", "--deadline", "2"},
                  .exit = Expectation::Exit::nonzero,
                  .bound_seconds = 60}},
  };
}

}  // namespace faulty
