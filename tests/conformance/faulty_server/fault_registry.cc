// Every fault, gathered from the family files that implement them.

#include <algorithm>

#include "fault_plan.h"

namespace faulty {

const std::vector<FaultEntry>& all_faults() {
  static const std::vector<FaultEntry> faults = [] {
    std::vector<FaultEntry> all{{
        .name = "none",
        .description = "the plain reference server (sanity check)",
        .make = [] { return FaultPlan{}; },
        .expect = {.filter = "cas.*", .exit = Expectation::Exit::zero},
    }};
    for (auto family : {cas_faults,
                        bytestream_read_faults,
                        bytestream_write_faults,
                        status_faults,
                        capabilities_faults,
                        storage_faults,
                        stall_faults,
                        silent_faults,
                        common_faults,
                        bytestream_name_faults,
                        compressed_faults,
                        query_write_status_faults,
                        concurrency_faults,
                        action_cache_faults,
                        split_faults,
                        size_limit_faults,
                        transport_faults,
                        empty_blob_faults,
                        get_tree_faults,
                        cas_storage_faults}) {
      std::vector<FaultEntry> entries = family();
      std::move(entries.begin(), entries.end(), std::back_inserter(all));
    }
    return all;
  }();
  return faults;
}

const FaultEntry* find_fault(std::string_view name) {
  const auto& faults = all_faults();
  auto it = std::find_if(faults.begin(), faults.end(),
                         [&](const FaultEntry& f) { return f.name == name; });
  return it == faults.end() ? nullptr : &*it;
}

}  // namespace faulty
