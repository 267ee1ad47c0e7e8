#include "test_support.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "reapi/digest.h"
#include "storage/caching_storage.h"
#include "storage/disk_storage.h"
#include "storage/memory_storage.h"

namespace reference::testing {
namespace fs = std::filesystem;

namespace {
// Every disk backend logs a line when it opens; tests open hundreds.
[[maybe_unused]] const bool quiet_logs = [] {
  spdlog::set_level(spdlog::level::warn);
  return true;
}();

// $TMPDIR if set; else tmpfs when there is one, where fsync costs nothing, so that the
// disk tests stay fast on a busy machine (they check semantics, not power-loss safety).
std::string temp_base() {
  const char* base = std::getenv("TMPDIR");
  if (base != nullptr && *base != '\0') return base;
  if (::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return "/tmp";
}
}  // namespace

TempDir::TempDir() {
  std::string pattern = temp_base() + "/reapi-storage-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string make_blob(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint64_t word = random();
    for (int b = 0; b < 8; ++b) out[i + b] = static_cast<char>(word >> (8 * b));
  }
  for (; i < size; ++i) out[i] = static_cast<char>(random());
  return out;
}

BlobKey cas_key_for(std::string_view data, reapi::DigestFunction fn) {
  return BlobKey::cas(fn, reapi::digest_of(fn, data));
}

BlobKey action_key(std::string instance, std::uint64_t seed) {
  const auto fn = reapi::DigestFunction::sha256;
  return BlobKey::action(std::move(instance), fn,
                         reapi::digest_of(fn, "action " + std::to_string(seed)));
}

std::vector<std::string> list_files(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_directory()) files.push_back(it->path().lexically_relative(root).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

std::unique_ptr<Storage> open_disk_or_fail(const fs::path& root, std::int64_t capacity) {
  auto storage = DiskStorage::open(root, capacity);
  if (!storage.ok()) {
    ADD_FAILURE() << "DiskStorage::open: " << storage.status();
    return nullptr;
  }
  return *std::move(storage);
}

}  // namespace

std::vector<BackendKind> all_backend_kinds() {
  return {
      {"memory",
       [](std::int64_t capacity) {
         return Backend{nullptr, std::make_unique<MemoryStorage>(capacity)};
       }},
      {"disk",
       [](std::int64_t capacity) {
         auto dir = std::make_unique<TempDir>();
         auto storage = open_disk_or_fail(dir->path() / "store", capacity);
         return Backend{std::move(dir), std::move(storage)};
       }},
      {"cache",
       [](std::int64_t capacity) {
         auto dir = std::make_unique<TempDir>();
         auto storage = std::make_unique<CachingStorage>(
             std::make_unique<MemoryStorage>(std::max<std::int64_t>(capacity / 2, 1)),
             open_disk_or_fail(dir->path() / "store", capacity), capacity / 8);
         return Backend{std::move(dir), std::move(storage)};
       }},
  };
}

void PrintTo(const BackendKind& kind, std::ostream* out) { *out << kind.name; }

rc::Gen<std::size_t> gen_blob_size() {
  const auto mib = static_cast<std::size_t>(kMiB);
  return rc::gen::weightedOneOf<std::size_t>({
      {1, rc::gen::just<std::size_t>(0)},
      {1, rc::gen::just<std::size_t>(1)},
      {1, rc::gen::elementOf(std::vector<std::size_t>{mib - 1, mib, mib + 1})},
      {6, rc::gen::inRange<std::size_t>(0, 64 * static_cast<std::size_t>(kKiB))},
  });
}

}  // namespace reference::testing
