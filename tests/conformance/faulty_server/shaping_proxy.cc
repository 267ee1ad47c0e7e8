#include "shaping_proxy.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <list>
#include <vector>

namespace faulty {
namespace {
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBufferBytes = 64 * 1024;  // per direction and connection

// One client connection and its connection to the server, with the bytes in flight.
struct Link {
  UniqueFd client{};
  UniqueFd server{};
  std::string up{};    // from the client, not yet written to the server
  std::string down{};  // from the server, not yet written to the client
  std::int64_t carried_down = 0;
  double tokens = 0;  // bytes the trickle lets through now
  Clock::time_point refilled = Clock::now();
  bool closed = false;
};

// Reads what `from` has into `into` (up to the buffer size); false at end of stream or error.
bool pull(int from, std::string& into) {
  char chunk[16 * 1024];
  const std::size_t room = std::min(sizeof chunk, kBufferBytes - into.size());
  if (room == 0) return true;
  const ssize_t n = ::read(from, chunk, room);
  if (n > 0) into.append(chunk, static_cast<std::size_t>(n));
  return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

// Writes up to `limit` bytes of `from` to `to`; the count written, or -1 on error.
ssize_t push(int to, std::string& from, std::size_t limit) {
  const std::size_t count = std::min(from.size(), limit);
  if (count == 0) return 0;
  const ssize_t n = ::send(to, from.data(), count, MSG_NOSIGNAL);
  if (n > 0) from.erase(0, static_cast<std::size_t>(n));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  return n;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShapingProxy>> ShapingProxy::start(const std::string& listen,
                                                                  int upstream_port,
                                                                  Shaping shaping) {
  auto listener = listen_tcp(listen);
  if (!listener.ok()) return listener.status();
  auto wake = WakePipe::make();
  if (!wake.ok()) return wake.status();
  return std::make_unique<ShapingProxy>(*std::move(listener), *std::move(wake), upstream_port,
                                        shaping);
}

ShapingProxy::ShapingProxy(Listener listener, WakePipe wake, int upstream_port, Shaping shaping)
    : listener_(std::move(listener)),
      wake_(std::move(wake)),
      upstream_port_(upstream_port),
      shaping_(shaping),
      thread_([this] { run(); }) {}

ShapingProxy::~ShapingProxy() {
  wake_.wake();
  thread_.join();
}

void ShapingProxy::run() {
  const double rate = static_cast<double>(shaping_.down_bytes_per_second);
  // A tenth of a second's worth at most, so the trickle stays smooth.
  const double burst = std::max(rate / 10, 1.0);
  std::list<Link> links;
  std::vector<pollfd> fds;
  while (true) {
    // fds: the wake pipe, the listener, then client and server of each link.
    fds.assign({{wake_.read.get(), POLLIN, 0}, {listener_.fd.get(), POLLIN, 0}});
    bool waiting_for_tokens = false;
    for (Link& link : links) {
      const bool may_send_down = rate <= 0 || link.tokens >= 1;
      if (!link.down.empty() && !may_send_down) waiting_for_tokens = true;
      const short client_events =
          static_cast<short>((link.up.size() < kBufferBytes ? POLLIN : 0) |
                             (!link.down.empty() && may_send_down ? POLLOUT : 0));
      const short server_events = static_cast<short>(
          (link.down.size() < kBufferBytes ? POLLIN : 0) | (!link.up.empty() ? POLLOUT : 0));
      fds.push_back({link.client.get(), client_events, 0});
      fds.push_back({link.server.get(), server_events, 0});
    }
    if (poll(fds.data(), fds.size(), waiting_for_tokens ? 5 : -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) {
      UniqueFd client(accept4(listener_.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
      auto server = connect_loopback(upstream_port_);
      if (client && server.ok()) {
        links.push_back(Link{.client = std::move(client), .server = *std::move(server)});
      }
    }
    std::size_t at = 2;
    const auto now = Clock::now();
    for (Link& link : links) {
      if (at + 1 >= fds.size()) break;  // accepted in this round: polled next time
      const short client = fds[at].revents, server = fds[at + 1].revents;
      at += 2;
      if (rate > 0) {
        link.tokens = std::min(
            burst, link.tokens + rate * std::chrono::duration<double>(now - link.refilled).count());
      }
      link.refilled = now;
      bool ok = true;
      if (client & (POLLIN | POLLHUP | POLLERR)) ok = pull(link.client.get(), link.up);
      if (ok && (server & (POLLIN | POLLHUP | POLLERR))) ok = pull(link.server.get(), link.down);
      if (ok && (server & POLLOUT)) ok = push(link.server.get(), link.up, link.up.size()) >= 0;
      if (ok && (client & POLLOUT)) {
        const std::size_t allowed =
            rate > 0 ? static_cast<std::size_t>(link.tokens) : link.down.size();
        const ssize_t sent = push(link.client.get(), link.down, allowed);
        ok = sent >= 0;
        if (sent > 0) {
          link.tokens -= static_cast<double>(sent);
          link.carried_down += sent;
        }
      }
      if (ok && shaping_.reset_after_down_bytes > 0 &&
          link.carried_down >= shaping_.reset_after_down_bytes) {
        reset_connection(link.client);
        reset_connection(link.server);
        ok = false;
      }
      link.closed = !ok;
    }
    links.remove_if([](const Link& link) { return link.closed; });
  }
}

}  // namespace faulty
