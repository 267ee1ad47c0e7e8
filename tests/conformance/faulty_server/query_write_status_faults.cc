// Faults for the bytestream.query_write_status.* checks. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> query_write_status_faults() { return {}; }

}  // namespace faulty
