// The faults by name, with the one-line description `--help` shows.

#include <algorithm>
#include <array>

#include "fault_plan.h"

namespace faulty {
namespace {

FaultPlan no_fault() { return {}; }

constexpr std::array kFaults{
    FaultEntry{"none", "the plain reference server (sanity check)", no_fault},
    FaultEntry{"no-hash-verification",
               "BatchUpdateBlobs accepts entries whose data does not match the digest",
               no_hash_verification},
    FaultEntry{"ignore-read-offset",
               "ByteStream Read serves from offset 0 whatever read_offset says",
               ignore_read_offset},
    FaultEntry{"wrong-status-code",
               "every NOT_FOUND (call or BatchReadBlobs entry) is sent as INTERNAL",
               wrong_status_code},
    FaultEntry{"repeat-page", "GetTree answers a page token with that same token as the next",
               repeat_page},
    FaultEntry{"lost-last-chunk", "ByteStream Read drops the last byte of every read",
               lost_last_chunk},
    FaultEntry{"wrong-committed-size", "Write and QueryWriteStatus report committed_size one short",
               wrong_committed_size},
    FaultEntry{"lost-writes", "CAS blobs of 1 KiB or more are acknowledged but never stored",
               lost_writes},
    FaultEntry{"hang-get-tree", "GetTree never answers (until the client gives up)", hang_get_tree},
    FaultEntry{"hang-after-capabilities", "GetCapabilities answers; every other call never answers",
               hang_after_capabilities},
    FaultEntry{"hang-all", "a TCP socket that accepts connections and never answers", hang_all},
    FaultEntry{"empty-blob-missing", "FindMissingBlobs reports the empty blob missing",
               empty_blob_missing},
    FaultEntry{"batch-read-corrupt", "BatchReadBlobs flips a bit of every non-empty blob",
               batch_read_corrupt},
    FaultEntry{"capabilities-no-digest-functions",
               "GetCapabilities lists no cache digest functions", capabilities_no_digest_functions},
    FaultEntry{"split-splice-unbacked",
               "GetCapabilities advertises SplitBlob/SpliceBlob, which answer UNIMPLEMENTED",
               capabilities_split_splice_unbacked},
    FaultEntry{"compressed-ignored", "ByteStream Read of compressed-blobs/ names sends plain bytes",
               compressed_ignored},
    FaultEntry{"uppercase-hash-accepted", "ByteStream Read accepts upper-case hashes in names",
               uppercase_hash_accepted},
    FaultEntry{"racing-writes-fail",
               "a Write of a blob another Write is uploading fails with ABORTED",
               racing_writes_fail},
    FaultEntry{"action-cache-ignores-update", "UpdateActionResult answers OK but stores nothing",
               action_cache_ignores_update},
};

}  // namespace

std::span<const FaultEntry> all_faults() { return kFaults; }

const FaultEntry* find_fault(std::string_view name) {
  auto it = std::find_if(kFaults.begin(), kFaults.end(),
                         [&](const FaultEntry& f) { return f.name == name; });
  return it == kFaults.end() ? nullptr : &*it;
}

}  // namespace faulty
