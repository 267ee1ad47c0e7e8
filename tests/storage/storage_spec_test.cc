// The --storage option: each form builds the backend it names, and each malformed spec is
// refused with a message that says what is wrong.

#include "storage/storage_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace reference::testing {
namespace {

using ::testing::HasSubstr;

TEST(StorageSpec, MemoryTakesASize) {
  auto storage = open_storage("memory:2GiB");
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ((*storage)->usage().capacity, std::int64_t{2} << 30);
  EXPECT_EQ((*storage)->describe(), "memory (2GiB)");
  EXPECT_EQ((*open_storage("memory:1000"))->usage().capacity, 1000);
}

TEST(StorageSpec, DiskTakesAnAbsolutePathThatMayContainColons) {
  TempDir dir;
  const std::string root = dir.path().string() + "/a:b";
  auto storage = open_storage("disk:" + root + ":1MiB");
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ((*storage)->usage().capacity, kMiB);
  EXPECT_EQ((*storage)->describe(), "disk:" + root + " (1MiB)");
  EXPECT_TRUE(std::filesystem::is_directory(root + "/cas"));
}

TEST(StorageSpec, CachePutsTheFirstSpecInFrontOfTheSecond) {
  TempDir dir;
  auto storage = open_storage("cache:memory:256KiB,disk:" + dir.path().string() + ":10MiB");
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_EQ((*storage)->usage().capacity, 10 * kMiB);
  EXPECT_EQ((*storage)->describe(), "cache:memory (256KiB) in front of disk:" +
                                        dir.path().string() + " (10MiB) (blobs up to 32KiB)");
}

TEST(StorageSpec, MalformedSpecsAreRefusedWithTheReason) {
  TempDir dir;
  const std::string file = dir.path().string() + "/file";
  std::ofstream(file) << "x";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {"memory", "no ':' after the backend"},
      {"tape:1GiB", "unknown backend 'tape'"},
      {"Memory:1GiB", "unknown backend 'Memory'"},
      {"memory:", "the size is missing"},
      {"memory:0", "must be more than 0"},
      {"memory:0GiB", "must be more than 0"},
      {"memory:-1", "is not a size"},
      {"memory:lots", "is not a size"},
      {"memory:2GB:x", "not a size unit"},
      {"memory:99999999999TiB", "too large"},
      {"disk:1GiB", "disk needs PATH:SIZE"},
      {"disk::1GiB", "the disk path is empty"},
      {"disk:relative/dir:1GiB", "must be absolute"},
      {"disk:/var/cas:", "the size is missing"},
      {"disk:/var/cas", "disk needs PATH:SIZE"},
      {"disk:" + dir.path().string() + ":0", "must be more than 0"},
      {"cache:memory:1MiB", "cache needs FRONT,BACK"},
      {"cache:,memory:1MiB", "front: "},
      {"cache:memory:1MiB,", "back: "},
      {"cache:memory:1MiB,disk:rel:1MiB",
       "back: storage spec 'disk:rel:1MiB': the disk path "
       "must be absolute"},
  };
  for (const auto& [spec, message] : cases) {
    auto storage = open_storage(spec);
    EXPECT_EQ(storage.status().code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(std::string(storage.status().message()), HasSubstr(message)) << spec;
    EXPECT_THAT(std::string(storage.status().message()), HasSubstr("'" + spec + "'")) << spec;
  }
  // A path that cannot be a directory fails when the backend opens it.
  auto storage = open_storage("disk:" + file + "/store:1MiB");
  EXPECT_FALSE(storage.ok());
}

}  // namespace
}  // namespace reference::testing
