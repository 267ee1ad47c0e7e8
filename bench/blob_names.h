#pragma once
// ByteStream resource names for the blobs the benchmarks move.

#include <string>

#include "reapi/digest.h"
#include "reapi/digest_function.h"

namespace reapi_bench {

// {instance}/uploads/{uuid}/blobs/{function/}{hash}/{size}
std::string upload_name(const std::string& instance, const std::string& uuid,
                        reapi::DigestFunction fn, const reapi::Digest& digest);
// {instance}/blobs/{function/}{hash}/{size}
std::string download_name(const std::string& instance, reapi::DigestFunction fn,
                          const reapi::Digest& digest);

}  // namespace reapi_bench
