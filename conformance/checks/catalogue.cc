#include "checks/families.h"

namespace conformance {

const Catalogue& full_catalogue() {
  static const Catalogue catalogue = [] {
    Catalogue c;
    add_common_checks(c);
    add_capabilities_checks(c);
    add_find_missing_checks(c);
    add_batch_update_checks(c);
    add_batch_read_checks(c);
    add_get_tree_checks(c);
    add_split_checks(c);
    add_bytestream_name_checks(c);
    add_bytestream_read_checks(c);
    add_bytestream_write_checks(c);
    add_query_write_status_checks(c);
    add_compressed_checks(c);
    add_action_cache_checks(c);
    add_concurrency_checks(c);
    c.finish();
    return c;
  }();
  return catalogue;
}

}  // namespace conformance
