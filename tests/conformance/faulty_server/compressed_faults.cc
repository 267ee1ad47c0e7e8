// Faults for the bytestream.compressed.* checks: compressed-blobs transfers. (To be written.)

#include "fault_plan.h"

namespace faulty {

std::vector<FaultEntry> compressed_faults() { return {}; }

}  // namespace faulty
