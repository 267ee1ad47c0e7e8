// Faults of the transport, made by a proxy in front of the reference server: a server whose
// answers trickle in (an overloaded server, a throttled link), and a middlebox that resets
// connections. The suite must fail the checks whose calls they break, with the status the
// client saw, and never wait on them past its deadlines.

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> transport_faults() {
  return {
      {.name = "trickle",
       .description = "answers trickle out at 32 KiB/s per connection",
       .make = [] { return FaultPlan{.shaping = Shaping{.down_bytes_per_second = 32 << 10}}; },
       .expect = {.filter = "bytestream.read.full_read,capabilities.always_answers",
                  .fails = {"bytestream.read.full_read"},
                  .extra_args = {"--deadline", "2", "--check-timeout", "10"},
                  .message_has = "DEADLINE_EXCEEDED",
                  .bound_seconds = 60}},
      {.name = "reset-connections",
       .description = "a middlebox resets each connection once it has carried 256 KiB of answers",
       .make = [] { return FaultPlan{.shaping = Shaping{.reset_after_down_bytes = 256 << 10}}; },
       .expect = {.filter = "bytestream.read.full_read,capabilities.always_answers",
                  .fails = {"bytestream.read.full_read"},
                  .extra_args = {"--check-timeout", "10"},
                  .message_has = "UNAVAILABLE",
                  .bound_seconds = 60}},
  };
}

}  // namespace faulty
