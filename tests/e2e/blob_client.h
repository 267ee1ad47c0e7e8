#pragma once
// The few client calls the process-level tests need, over a plain channel.

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "reapi/digest.h"

namespace e2e {

std::shared_ptr<grpc::Channel> connect(const std::string& address);
std::string random_bytes(std::mt19937_64& rng, std::size_t size);

// ByteStream Write of `data` in messages of `chunk` bytes; the call's status.
absl::Status write_blob(const std::shared_ptr<grpc::Channel>& channel, const std::string& data,
                        std::size_t chunk);
// ByteStream Read of the blob named by `digest`.
absl::StatusOr<std::string> read_blob(const std::shared_ptr<grpc::Channel>& channel,
                                      const reapi::Digest& digest);
// The digests among `digests` the server reports missing.
absl::StatusOr<std::vector<reapi::Digest>> find_missing(
    const std::shared_ptr<grpc::Channel>& channel, const std::vector<reapi::Digest>& digests);

}  // namespace e2e
