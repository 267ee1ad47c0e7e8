#pragma once
// tests/conformance/FAULTS.md: every fault of reapi-faulty-server, the bug it is, and the
// checks that must catch it, for readers who want to know what proves a check can fail.

#include <ostream>

namespace faulty {

void write_faults_markdown(std::ostream& out);

}  // namespace faulty
