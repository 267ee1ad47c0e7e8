// Faults for the cas.split.* checks: SplitBlob / SpliceBlob. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> split_faults() { return {}; }

}  // namespace faulty
