#pragma once
// Everything the reference server is configured with; filled from the command line.

#include <cstdint>
#include <string>
#include <vector>

#include "reapi/digest_function.h"

namespace reference {

struct ServerConfig {
  // gRPC listen addresses: "HOST:PORT" (port 0 picks a free one) or "unix:/path".
  std::vector<std::string> listen{"127.0.0.1:50051"};
  // Storage spec, e.g. "memory:2GiB" or "disk:/var/cas:50GiB".
  std::string storage = "memory:2GiB";
  // Instance names served; any other is refused.
  std::vector<std::string> instances{""};
  std::vector<reapi::DigestFunction> digest_functions{
      reapi::DigestFunction::sha256, reapi::DigestFunction::sha1, reapi::DigestFunction::md5,
      reapi::DigestFunction::sha384, reapi::DigestFunction::sha512};
  bool read_only = false;
  bool disable_overwrite_early_return = false;
  // Advertised limit on the blob bytes of one batch call. It stays 64 KiB under gRPC's
  // default 4 MiB so a full BatchReadBlobs response fits a default client (shared/reapi N3).
  std::int64_t max_batch_total_size_bytes = (4 << 20) - (64 << 10);
  // Largest gRPC message the server accepts; above the batch limit plus framing.
  std::int64_t max_receive_message_size = 16 << 20;
  // Largest CAS blob accepted, advertised as max_cas_blob_size_bytes (CAP-18); 0: no limit.
  std::int64_t max_cas_blob_size_bytes = 0;
  // SplitBlob / SpliceBlob (cas.md 5): served and advertised unless turned off (or read-only).
  bool split_splice = true;
  // The FastCDC 2020 parameters SplitBlob chunks with and advertises (CAP-20): the average
  // chunk size, a power of two from 1 KiB to 1 MiB (REAPI recommends 512 KiB), and the seed.
  std::int64_t fast_cdc_avg_chunk_size = 512 << 10;
  std::uint32_t fast_cdc_seed = 0;
  // GetTree results cached per root (0 disables), and for how long.
  std::int64_t tree_cache_size = 256;
  double tree_cache_ttl_minutes = 60;
  // Unfinished uploads kept for resumption (QueryWriteStatus), and for how long when idle.
  std::int64_t max_pending_uploads = 1024;
  double pending_upload_ttl_minutes = 30;
  // File to write the first bound port to (for scripts that start on port 0).
  std::string port_file;
  std::string log_level = "info";
};

}  // namespace reference
