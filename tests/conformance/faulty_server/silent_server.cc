#include "silent_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "fault_plan.h"

namespace faulty {

absl::StatusOr<std::unique_ptr<SilentServer>> SilentServer::start(const std::string& listen) {
  auto listener = listen_tcp(listen);
  if (!listener.ok()) return listener.status();
  auto wake = WakePipe::make();
  if (!wake.ok()) return wake.status();
  return std::make_unique<SilentServer>(*std::move(listener), *std::move(wake));
}

SilentServer::SilentServer(Listener listener, WakePipe wake)
    : listener_(std::move(listener)), wake_(std::move(wake)), thread_([this] { run(); }) {}

SilentServer::~SilentServer() {
  wake_.wake();
  thread_.join();
}

void SilentServer::run() {
  // fds[0]: the wake pipe, fds[1]: the listener, then the connections (owned by `open`).
  std::vector<pollfd> fds{{wake_.read.get(), POLLIN, 0}, {listener_.fd.get(), POLLIN, 0}};
  std::vector<UniqueFd> open;
  char buffer[16 * 1024];
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      UniqueFd connection(accept4(listener_.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (connection) {
        fds.push_back({connection.get(), POLLIN, 0});
        open.push_back(std::move(connection));
      }
    }
    for (std::size_t i = 2; i < fds.size();) {
      if (fds[i].revents != 0 && read(fds[i].fd, buffer, sizeof buffer) <= 0) {
        // The client gave up.
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(i - 2));
        continue;
      }
      ++i;
    }
  }
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
