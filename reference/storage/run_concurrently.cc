#include "storage/run_concurrently.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace reference {

void run_concurrently(std::size_t count, std::size_t max_threads,
                      const std::function<void(std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) task(i);
  };
  std::vector<std::jthread> helpers;
  const std::size_t threads = std::min(count, max_threads);
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones we have (at least this one) do the rest
    }
  }
  work();
}  // the helpers join here

}  // namespace reference
