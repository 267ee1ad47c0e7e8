#pragma once
// Helpers shared by the storage tests: temporary directories, deterministic blob contents,
// keys, the list of backends the contract suite runs on, and bounded rapidcheck runs.

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "storage/storage.h"

// RC_ASSERT for a status, with its message when it fails.
#define RC_ASSERT_OK(expr)                                             \
  do {                                                                 \
    const absl::Status rc_status_ = (expr);                            \
    if (!rc_status_.ok()) RC_FAIL(#expr ": " + rc_status_.ToString()); \
  } while (0)

namespace reference::testing {

inline constexpr std::int64_t kKiB = 1024;
inline constexpr std::int64_t kMiB = 1024 * 1024;

// A fresh directory (under $TMPDIR, else /dev/shm, else /tmp), deleted with everything in
// it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `size` pseudo-random bytes determined by `seed`.
std::string make_blob(std::size_t size, std::uint64_t seed);

BlobKey cas_key_for(std::string_view data,
                    reapi::DigestFunction fn = reapi::DigestFunction::sha256);
// An ActionCache key whose action digest is made from `seed`.
BlobKey action_key(std::string instance, std::uint64_t seed);

// Every file (not directory) below `root`, as paths relative to it, sorted.
std::vector<std::string> list_files(const std::filesystem::path& root);

// A storage under test with whatever it needs to stay alive (a directory for disk).
struct Backend {
  std::unique_ptr<TempDir> dir;      // may be null
  std::unique_ptr<Storage> storage;  // destroyed before `dir`
};

struct BackendKind {
  std::string name;
  std::function<Backend(std::int64_t capacity_bytes)> make;
};

// memory, disk (fresh directory each time) and cache (memory in front of disk).
std::vector<BackendKind> all_backend_kinds();
// So that GoogleTest names the backend of a failing test.
void PrintTo(const BackendKind& kind, std::ostream* out);

// Blob sizes worth testing: 0, 1, around 1 MiB, and random sizes up to 64 KiB.
rc::Gen<std::size_t> gen_blob_size();

// Runs a rapidcheck property at most `max_success` times (unless RC_PARAMS sets
// max_success), reporting a failure to GoogleTest. Keeps property suites fast.
template <typename Testable>
void check_property(int max_success, Testable&& testable) {
  using namespace rc::detail;
  TestParams params = configuration().testParams;
  if (params.maxSuccess == TestParams().maxSuccess) params.maxSuccess = max_success;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = metadata.id;
  const auto result = checkTestable(std::forward<Testable>(testable), metadata, params);
  if (!result.template is<SuccessResult>()) {
    std::ostringstream message;
    printResultMessage(result, message);
    ADD_FAILURE() << message.str();
  }
}

}  // namespace reference::testing
