// Faults for the bytestream.name.* checks: resource names. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> bytestream_name_faults() { return {}; }

}  // namespace faulty
