// Faults for the max_cas_blob_size_bytes and batch limits. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> size_limit_faults() { return {}; }

}  // namespace faulty
