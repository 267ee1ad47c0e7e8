#include "checks/malformed_digest.h"

#include <algorithm>
#include <cctype>

namespace conformance {

Malformed malformed_from(const v2::Digest& base, int kind) {
  Malformed m{"", base};
  std::string hash = base.hash();
  switch (kind) {
    case 0:
      m.what = "hash one character short";
      hash.pop_back();
      break;
    case 1:
      m.what = "hash one character long";
      hash += "0";
      break;
    case 2:
      m.what = "hash with a non-hex character";
      hash[hash.size() / 2] = 'g';
      break;
    case 3:
      m.what = "hash in uppercase";
      // A hash of digits only reads the same in uppercase: give it a letter first.
      if (std::none_of(hash.begin(), hash.end(), [](char c) { return c >= 'a' && c <= 'f'; }))
        hash[0] = 'a';
      for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      break;
    case 4:
      m.what = "negative size";
      // Negative even when `base` is the empty blob.
      m.digest.set_size_bytes(-1 - base.size_bytes());
      break;
    case 5:
      m.what = "empty hash";
      hash.clear();
      break;
    default:
      m.what = "hash \"zz\"";
      hash = "zz";
      break;
  }
  m.digest.set_hash(hash);
  return m;
}

rc::Gen<int> gen_malformed_kind() { return rc::gen::inRange(0, 7); }

}  // namespace conformance
