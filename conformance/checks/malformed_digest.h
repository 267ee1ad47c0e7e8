#pragma once
// Malformed forms of a digest (common.md COM-02, COM-04), shared by the CAS families that
// check a server refuses them.

#include <rapidcheck.h>

#include <string>

#include "framework/calls.h"

namespace conformance {

struct Malformed {
  std::string what;  // which malformation, for messages
  v2::Digest digest;
};

// `base` made malformed in the way `kind` (from gen_malformed_kind()) picks: a hash too short
// or too long, with a non-hex character, in uppercase, empty or junk, or a negative size.
Malformed malformed_from(const v2::Digest& base, int kind);

rc::Gen<int> gen_malformed_kind();

}  // namespace conformance
