// Faults for the action_cache.* checks. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> action_cache_faults() { return {}; }

}  // namespace faulty
