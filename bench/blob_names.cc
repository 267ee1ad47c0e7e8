#include "blob_names.h"

#include "reapi/resource_name.h"

namespace reapi_bench {
namespace {

reapi::BlobResourceName blob_name(const std::string& instance, reapi::DigestFunction fn,
                                  const reapi::Digest& digest) {
  reapi::BlobResourceName name;
  name.instance_name = instance;
  // Functions inferred from the hash length are left out of the name (common.md 1.1).
  if (!reapi::is_inferred_from_length(fn)) name.digest_function = fn;
  name.digest = digest;
  return name;
}

}  // namespace

std::string upload_name(const std::string& instance, const std::string& uuid,
                        reapi::DigestFunction fn, const reapi::Digest& digest) {
  reapi::BlobResourceName name = blob_name(instance, fn, digest);
  name.upload_id = uuid;
  return reapi::format_write_resource_name(name);
}

std::string download_name(const std::string& instance, reapi::DigestFunction fn,
                          const reapi::Digest& digest) {
  return reapi::format_read_resource_name(blob_name(instance, fn, digest));
}

}  // namespace reapi_bench
