// Faults for the transport: trickled bytes, dropped connections. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> transport_faults() { return {}; }

}  // namespace faulty
