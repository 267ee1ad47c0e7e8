// Faults for the concurrency.* checks: several clients at once. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> concurrency_faults() { return {}; }

}  // namespace faulty
