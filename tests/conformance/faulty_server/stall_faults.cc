// hang-get-tree: GetTree never answers; hang-after-capabilities: every call but
// GetCapabilities never answers (a server that looks alive, then stalls). The first batch
// a stalled call would send (headers, first message or status) is held back until the
// client gives up: cancels, or its deadline passes. A call is never held forever: on
// shutdown every held call is cancelled.

#include <grpcpp/server_context.h>
#include <grpcpp/support/interceptor.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "call_rewriter.h"
#include "fault_plan.h"

namespace faulty {
namespace {
using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

// Holds intercepted batches and lets each go (Proceed) once its call is cancelled. One
// thread polls every held call; interceptors must not block gRPC's threads.
class Staller {
 public:
  Staller() : thread_([this] { run(); }) {}
  ~Staller() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Staller(const Staller&) = delete;
  Staller& operator=(const Staller&) = delete;

  // Takes over the batch: `methods` proceeds later, from the staller's thread.
  void hold(grpc::ServerContextBase* context, InterceptorBatchMethods* methods) {
    {
      std::lock_guard lock(mu_);
      held_.push_back({context, methods});
    }
    wake_.notify_all();
  }
  // From now on every held call (and every one held later) is cancelled and released.
  void release_all() {
    {
      std::lock_guard lock(mu_);
      releasing_ = true;
    }
    wake_.notify_all();
  }

 private:
  struct Held {
    grpc::ServerContextBase* context;
    InterceptorBatchMethods* methods;
  };

  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      std::vector<Held> ready;
      std::erase_if(held_, [&](const Held& h) {
        if (!releasing_ && !done_ && !h.context->IsCancelled()) return false;
        ready.push_back(h);
        return true;
      });
      const bool cancel = releasing_ || done_;
      lock.unlock();
      for (const Held& h : ready) {
        if (cancel) h.context->TryCancel();
        // On a cancelled call the batch fails and the service's reactor finishes.
        h.methods->Proceed();
      }
      lock.lock();
      if (done_ && held_.empty()) return;
      wake_.wait_for(lock, std::chrono::milliseconds(10));
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Held> held_;
  bool releasing_ = false;
  bool done_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

class StallCall final : public grpc::experimental::Interceptor {
 public:
  StallCall(std::shared_ptr<Staller> staller, grpc::ServerContextBase* context)
      : staller_(std::move(staller)), context_(context) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    const bool sends =
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA) ||
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE) ||
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS);
    if (sends && !stalled_) {
      stalled_ = true;
      staller_->hold(context_, methods);
      return;
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<Staller> staller_;
  grpc::ServerContextBase* context_;
  bool stalled_ = false;
};

// Stalls every call for which `stalled(info)` holds.
FaultPlan stall_calls(bool (*stalled)(grpc::experimental::ServerRpcInfo&)) {
  FaultPlan plan;
  auto staller = std::make_shared<Staller>();
  plan.interceptor = [staller, stalled](grpc::experimental::ServerRpcInfo& info)
      -> std::unique_ptr<grpc::experimental::Interceptor> {
    if (!stalled(info)) return nullptr;
    return std::make_unique<StallCall>(staller, info.server_context());
  };
  plan.before_shutdown = [staller] { staller->release_all(); };
  return plan;
}

FaultPlan stall_get_tree() {
  return stall_calls(
      [](grpc::experimental::ServerRpcInfo& info) { return is_method(info, method::kGetTree); });
}

FaultPlan stall_all_but_capabilities() {
  return stall_calls([](grpc::experimental::ServerRpcInfo& info) {
    return !is_method(info, method::kGetCapabilities);
  });
}

}  // namespace

std::vector<FaultEntry> stall_faults() {
  return {
      {.name = "hang-get-tree",
       .description = "GetTree never answers (until the client gives up)",
       .make = stall_get_tree,
       .expect = {.filter = "cas.get_tree.*",
                  .fails = {"cas.get_tree.full_tree"},
                  .message_has = "DEADLINE_EXCEEDED"}},
      // Alive, then silent: every check's calls time out, and the run bound ends the run.
      {.name = "hang-after-capabilities",
       .description = "GetCapabilities answers; every other call never answers",
       .make = stall_all_but_capabilities,
       .expect = {.filter = "cas.*",
                  .fails = {"cas.find_missing.reports_exactly_absent"},
                  .extra_args = {"--run-timeout", "20", "--deadline", "2"},
                  .bound_seconds = 60}},
  };
}

}  // namespace faulty
