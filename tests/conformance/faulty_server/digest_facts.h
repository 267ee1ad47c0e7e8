#pragma once
// What a fault needs to know about the digests of a request before the service sees it:
// which function they are meant for, whether they are well formed, whether one is the
// empty blob. Shared by the CAS fault families.

#include <optional>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "reapi/digest.h"

namespace faulty {

// The hashable function a request means for a hash: its digest_function, else the one the
// hash length implies. nullopt when no function fits (a malformed hash, or one the faults
// cannot hash): the fault then leaves the entry alone.
inline std::optional<reapi::DigestFunction> function_for(int requested, std::size_t hex_length) {
  if (requested != 0) {
    auto fn = reapi::digest_function_from_number(requested);
    if (fn && reapi::is_hashable(*fn)) return fn;
    return std::nullopt;
  }
  return reapi::infer_from_hex_length(hex_length, reapi::hashable_functions());
}

// The function of a well-formed digest, or nullopt when it is malformed (COM-01..04).
inline std::optional<reapi::DigestFunction> well_formed(
    int requested, const build::bazel::remote::execution::v2::Digest& proto) {
  const reapi::Digest digest = reapi::from_proto(proto);
  auto fn = function_for(requested, digest.hash.size());
  if (!fn || !reapi::validate_digest(*fn, digest).ok()) return std::nullopt;
  return fn;
}

inline bool same(const build::bazel::remote::execution::v2::Digest& a,
                 const build::bazel::remote::execution::v2::Digest& b) {
  return a.hash() == b.hash() && a.size_bytes() == b.size_bytes();
}

inline bool is_empty_blob(int requested, const build::bazel::remote::execution::v2::Digest& proto) {
  if (proto.size_bytes() != 0) return false;
  auto fn = function_for(requested, proto.hash().size());
  return fn && proto.hash() == reapi::empty_digest(*fn).hash;
}

}  // namespace faulty
