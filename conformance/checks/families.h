#pragma once
// One function per family of checks; each adds its checks (and its not-checkable rules)
// to the catalogue. full_catalogue() calls them all.

#include "framework/check.h"

namespace conformance {

void add_common_checks(Catalogue& catalogue);              // COM-
void add_capabilities_checks(Catalogue& catalogue);        // CAP-
void add_find_missing_checks(Catalogue& catalogue);        // CAS-FMB-
void add_batch_update_checks(Catalogue& catalogue);        // CAS-BUP-
void add_batch_read_checks(Catalogue& catalogue);          // CAS-BRD-
void add_get_tree_checks(Catalogue& catalogue);            // CAS-TREE-
void add_split_checks(Catalogue& catalogue);               // CAS-SPLIT-
void add_bytestream_name_checks(Catalogue& catalogue);     // BS-NAME-
void add_bytestream_read_checks(Catalogue& catalogue);     // BS-READ-
void add_bytestream_write_checks(Catalogue& catalogue);    // BS-WRITE-
void add_query_write_status_checks(Catalogue& catalogue);  // BS-QWS-
void add_compressed_checks(Catalogue& catalogue);          // BS-COMP-
void add_action_cache_checks(Catalogue& catalogue);        // AC-
void add_concurrency_checks(Catalogue& catalogue);         // several clients at once

}  // namespace conformance
