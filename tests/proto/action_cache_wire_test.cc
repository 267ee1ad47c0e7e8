// Action Cache messages decoded from hand-written wire bytes (wire.md section 6).
// ActionResult's fields are declared out of number order in the .proto (12 sits between 10
// and 3; 9 is last), which is exactly what a hand-typed copy gets wrong.

#include <gtest/gtest.h>

#include "build/bazel/remote/execution/v2/remote_execution.pb.h"
#include "wire_bytes.h"

namespace {

namespace v2 = build::bazel::remote::execution::v2;
using wire::bytes_field;
using wire::int_field;

const std::string kHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

std::string digest_bytes(std::int64_t size) { return bytes_field(1, kHash) + int_field(2, size); }

TEST(ActionCacheWire, ActionResult) {
  const std::string output_file = bytes_field(1, "out/a") + bytes_field(2, digest_bytes(5)) +
                                  int_field(4, 1) + bytes_field(5, "hello");
  const std::string output_dir = bytes_field(1, "out/d") + bytes_field(3, digest_bytes(10)) +
                                 int_field(4, 1) + bytes_field(5, digest_bytes(11));
  const std::string symlink = bytes_field(1, "out/l") + bytes_field(2, "a");
  // ExecutedActionMetadata: worker = 1, virtual_execution_duration = 12 (Duration seconds 1).
  const std::string metadata = bytes_field(1, "worker-7") + bytes_field(12, int_field(1, 42));
  const std::string bytes = bytes_field(2, output_file) +      // output_files
                            bytes_field(3, output_dir) +       // output_directories
                            int_field(4, -2) +                 // exit_code
                            bytes_field(5, "out") +            // stdout_raw
                            bytes_field(6, digest_bytes(3)) +  // stdout_digest
                            bytes_field(7, "err") +            // stderr_raw
                            bytes_field(8, digest_bytes(4)) +  // stderr_digest
                            bytes_field(9, metadata) +         // execution_metadata
                            bytes_field(10, symlink) +         // output_file_symlinks
                            bytes_field(11, symlink) +         // output_directory_symlinks
                            bytes_field(12, symlink);          // output_symlinks
  v2::ActionResult r;
  ASSERT_TRUE(wire::decodes(bytes, r));
  ASSERT_EQ(r.output_files_size(), 1);
  EXPECT_EQ(r.output_files(0).path(), "out/a");
  EXPECT_EQ(r.output_files(0).digest().size_bytes(), 5);
  EXPECT_TRUE(r.output_files(0).is_executable());
  EXPECT_EQ(r.output_files(0).contents(), "hello");
  ASSERT_EQ(r.output_directories_size(), 1);
  EXPECT_EQ(r.output_directories(0).path(), "out/d");
  EXPECT_EQ(r.output_directories(0).tree_digest().size_bytes(), 10);
  EXPECT_TRUE(r.output_directories(0).is_topologically_sorted());
  EXPECT_EQ(r.output_directories(0).root_directory_digest().size_bytes(), 11);
  EXPECT_EQ(r.exit_code(), -2);
  EXPECT_EQ(r.stdout_raw(), "out");
  EXPECT_EQ(r.stdout_digest().size_bytes(), 3);
  EXPECT_EQ(r.stderr_raw(), "err");
  EXPECT_EQ(r.stderr_digest().size_bytes(), 4);
  EXPECT_EQ(r.execution_metadata().worker(), "worker-7");
  EXPECT_EQ(r.execution_metadata().virtual_execution_duration().seconds(), 42);
  ASSERT_EQ(r.output_symlinks_size(), 1);
  EXPECT_EQ(r.output_symlinks(0).path(), "out/l");
  EXPECT_EQ(r.output_symlinks(0).target(), "a");
  // The deprecated symlink lists are still on the wire; read through reflection, as their
  // accessors are marked deprecated.
  const auto* descriptor = r.GetDescriptor();
  const auto* file_symlinks = descriptor->FindFieldByNumber(10);
  const auto* directory_symlinks = descriptor->FindFieldByNumber(11);
  ASSERT_NE(file_symlinks, nullptr);
  ASSERT_NE(directory_symlinks, nullptr);
  EXPECT_EQ(file_symlinks->name(), "output_file_symlinks");
  EXPECT_EQ(directory_symlinks->name(), "output_directory_symlinks");
  EXPECT_EQ(r.GetReflection()->FieldSize(r, file_symlinks), 1);
  EXPECT_EQ(r.GetReflection()->FieldSize(r, directory_symlinks), 1);
}

TEST(ActionCacheWire, ActionResultFieldOneIsReserved) {
  v2::ActionResult r;
  ASSERT_TRUE(r.ParseFromString(bytes_field(1, "x")));
  EXPECT_EQ(wire::unknown_fields(r).size(), 1u);
}

TEST(ActionCacheWire, GetActionResultRequest) {
  const std::string bytes = bytes_field(1, "i") + bytes_field(2, digest_bytes(140)) +
                            int_field(3, 1) + int_field(4, 1) + bytes_field(5, "out/a") +
                            int_field(6, 1);
  v2::GetActionResultRequest req;
  ASSERT_TRUE(wire::decodes(bytes, req));
  EXPECT_EQ(req.instance_name(), "i");
  EXPECT_EQ(req.action_digest().size_bytes(), 140);
  EXPECT_TRUE(req.inline_stdout());
  EXPECT_TRUE(req.inline_stderr());
  ASSERT_EQ(req.inline_output_files_size(), 1);
  EXPECT_EQ(req.inline_output_files(0), "out/a");
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::SHA256);
}

TEST(ActionCacheWire, UpdateActionResultRequest) {
  const std::string bytes = bytes_field(1, "i") + bytes_field(2, digest_bytes(140)) +
                            bytes_field(3, int_field(4, 1)) + bytes_field(4, int_field(1, 3)) +
                            int_field(5, 1);
  v2::UpdateActionResultRequest req;
  ASSERT_TRUE(wire::decodes(bytes, req));
  EXPECT_EQ(req.action_digest().size_bytes(), 140);
  EXPECT_EQ(req.action_result().exit_code(), 1);
  EXPECT_EQ(req.results_cache_policy().priority(), 3);
  EXPECT_EQ(req.digest_function(), v2::DigestFunction::SHA256);
}

TEST(ActionCacheWire, RequestMetadata) {
  const std::string tool = bytes_field(1, "bazel") + bytes_field(2, "7.0");
  const std::string bytes = bytes_field(1, tool) + bytes_field(2, "action") +
                            bytes_field(3, "invocation") + bytes_field(4, "correlated") +
                            bytes_field(5, "CppCompile") + bytes_field(6, "//a:b") +
                            bytes_field(7, "config");
  v2::RequestMetadata m;
  ASSERT_TRUE(wire::decodes(bytes, m));
  EXPECT_EQ(m.tool_details().tool_name(), "bazel");
  EXPECT_EQ(m.tool_details().tool_version(), "7.0");
  EXPECT_EQ(m.action_id(), "action");
  EXPECT_EQ(m.tool_invocation_id(), "invocation");
  EXPECT_EQ(m.correlated_invocations_id(), "correlated");
  EXPECT_EQ(m.action_mnemonic(), "CppCompile");
  EXPECT_EQ(m.target_id(), "//a:b");
  EXPECT_EQ(m.configuration_id(), "config");
}

}  // namespace
