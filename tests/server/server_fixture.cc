#include "server_fixture.h"

#include <grpcpp/security/credentials.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/Results.h>
#include <rapidcheck/detail/TestMetadata.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <ostream>
#include <random>
#include <sstream>

#include "storage/storage_spec.h"

namespace reference::testing {

namespace {

std::filesystem::path temp_root() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path();
}

std::atomic<std::uint64_t> g_seed{0x5eed};

std::uint64_t fresh_seed() {
  static const std::uint64_t base = std::random_device{}();
  return base ^ (g_seed.fetch_add(0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (temp_root() / "reapi-server-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Blob make_blob(std::string data, reapi::DigestFunction fn) {
  Blob blob;
  blob.digest = reapi::to_proto(reapi::digest_of(fn, data));
  blob.data = std::move(data);
  return blob;
}

std::string random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < size; ++i) out[i] = static_cast<char>(rng());
  return out;
}

std::string compressible_bytes(std::size_t size, std::uint64_t seed) {
  const std::string pattern = "pattern-" + std::to_string(seed) + "-";
  std::string out;
  out.reserve(size);
  while (out.size() < size) out += pattern;
  out.resize(size);
  return out;
}

v2::Digest absent_digest(std::int64_t size, reapi::DigestFunction fn) {
  v2::Digest d = reapi::to_proto(reapi::digest_of(fn, random_bytes(32, fresh_seed())));
  d.set_size_bytes(size);
  return d;
}

v2::Digest digest(const std::string& hash, std::int64_t size) {
  v2::Digest d;
  d.set_hash(hash);
  d.set_size_bytes(size);
  return d;
}

std::string to_upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string new_uuid() {
  std::mt19937_64 rng(fresh_seed());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    int nibble = static_cast<int>(rng() & 15);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    out += kHex[nibble];
  }
  return out;
}

// The test's own zstd, straight from libzstd, so that what the server sends or accepts is
// checked independently of the project's compression code.
std::string zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(n)) {
    ADD_FAILURE() << "ZSTD_compress: " << ZSTD_getErrorName(n);
    return "";
  }
  out.resize(n);
  return out;
}

std::optional<std::string> try_unzstd(std::string_view data) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  std::string buffer(ZSTD_DStreamOutSize(), '\0');
  std::string out;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  for (;;) {
    ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
    const std::size_t hint = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(hint)) return std::nullopt;
    out.append(buffer.data(), o.pos);
    // All input used, and either the last frame is complete (hint 0: decoded and flushed)
    // or nothing is left to flush: the stream is valid only in the first case.
    if (in.pos == in.size && (hint == 0 || o.pos < o.size)) {
      if (hint != 0) return std::nullopt;
      return out;
    }
  }
}

std::string unzstd(std::string_view data) {
  auto out = try_unzstd(data);
  if (!out) {
    ADD_FAILURE() << "not a valid zstd stream (" << data.size() << " bytes)";
    return "";
  }
  return *out;
}

namespace {
std::string prefix(const std::string& instance) { return instance.empty() ? "" : instance + "/"; }
std::string digest_part(const v2::Digest& d) {
  return d.hash() + "/" + std::to_string(d.size_bytes());
}
}  // namespace

std::string read_name(const v2::Digest& d, const std::string& instance) {
  return prefix(instance) + "blobs/" + digest_part(d);
}

std::string compressed_read_name(const v2::Digest& d, const std::string& instance,
                                 const std::string& compressor) {
  return prefix(instance) + "compressed-blobs/" + compressor + "/" + digest_part(d);
}

std::string upload_name(const v2::Digest& d, const std::string& instance, const std::string& uuid) {
  return prefix(instance) + "uploads/" + uuid + "/blobs/" + digest_part(d);
}

std::string compressed_upload_name(const v2::Digest& d, const std::string& instance,
                                   const std::string& uuid, const std::string& compressor) {
  return prefix(instance) + "uploads/" + uuid + "/compressed-blobs/" + compressor + "/" +
         digest_part(d);
}

bs::WriteRequest write_request(const std::string& name, std::int64_t offset, std::string data,
                               bool finish) {
  bs::WriteRequest r;
  r.set_resource_name(name);
  r.set_write_offset(offset);
  r.set_data(std::move(data));
  r.set_finish_write(finish);
  return r;
}

std::vector<bs::WriteRequest> write_stream(const std::string& name, const std::string& data,
                                           std::size_t piece, std::int64_t first_offset) {
  std::vector<bs::WriteRequest> out;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(piece, data.size() - pos);
    out.push_back(write_request(out.empty() ? name : "",
                                first_offset + static_cast<std::int64_t>(pos), data.substr(pos, n),
                                pos + n == data.size()));
    pos += n;
  } while (pos < data.size());
  return out;
}

::testing::AssertionResult has_code(const grpc::Status& status, grpc::StatusCode expected) {
  if (status.error_code() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected status code " << expected << ", got " << status.error_code() << " ("
         << status.error_message() << ")";
}

::testing::AssertionResult has_code(const google::rpc::Status& status, grpc::StatusCode expected) {
  if (status.code() == static_cast<int>(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected per-blob code " << expected << ", got "
                                       << status.code() << " (" << status.message() << ")";
}

std::vector<std::string> directory_digests(const std::vector<v2::GetTreeResponse>& messages,
                                           reapi::DigestFunction fn) {
  std::vector<std::string> out;
  for (const auto& message : messages) {
    for (const auto& directory : message.directories()) {
      out.push_back(reapi::digest_of_message(fn, directory).to_string());
    }
  }
  return out;
}

void check_property(int max_success, int max_size, const std::function<void()>& property) {
  using namespace rc::detail;
  TestParams params = configuration().testParams;
  params.maxSuccess = std::min(params.maxSuccess, max_success);
  params.maxSize = std::min(params.maxSize, max_size);
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const TestResult result = checkProperty(toProperty(property), metadata, params);
  if (!result.is<SuccessResult>()) {
    std::ostringstream message;
    printResultMessage(result, message);
    ADD_FAILURE() << message.str();
  }
}

ServerConfig ServerTest::default_config() {
  ServerConfig config;
  config.listen = {"127.0.0.1:0"};
  config.instances = {"", "a/b"};
  config.log_level = "warn";
  return config;
}

void ServerTest::SetUp() {
  // Refused calls are logged at info; the tests provoke hundreds of them on purpose.
  spdlog::set_level(spdlog::level::warn);
  restart(default_config());
}

void ServerTest::TearDown() { stop(); }

void ServerTest::stop() {
  capabilities_.reset();
  cas_.reset();
  bytestream_.reset();
  action_cache_.reset();
  channel_.reset();
  if (server_) server_->shutdown(std::chrono::seconds(5));
  server_.reset();  // closes the storage before its directory goes
  disk_dir_.reset();
}

void ServerTest::restart(const ServerConfig& config) {
  stop();
  std::string spec = "memory:256MiB";
  if (backend() == Backend::disk) {
    disk_dir_.emplace();
    spec = "disk:" + disk_dir_->path().string() + ":1GiB";
  }
  auto storage = open_storage(spec);
  ASSERT_TRUE(storage.ok()) << spec << ": " << storage.status().message();
  auto server = ReferenceServer::start(config, *std::move(storage));
  ASSERT_TRUE(server.ok()) << server.status().message();
  server_ = *std::move(server);
  ASSERT_EQ(server_->ports().size(), 1u);
  ASSERT_GT(server_->ports()[0], 0);
  channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->ports()[0]),
                                 grpc::InsecureChannelCredentials());
  capabilities_ = v2::Capabilities::NewStub(channel_);
  cas_ = v2::ContentAddressableStorage::NewStub(channel_);
  bytestream_ = bs::ByteStream::NewStub(channel_);
  action_cache_ = v2::ActionCache::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> ServerTest::context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return ctx;
}

grpc::Status ServerTest::get_capabilities(const std::string& instance,
                                          v2::ServerCapabilities& out) {
  v2::GetCapabilitiesRequest request;
  request.set_instance_name(instance);
  return capabilities().GetCapabilities(context().get(), request, &out);
}

::testing::AssertionResult ServerTest::upload(const std::vector<Blob>& blobs,
                                              const std::string& instance, int digest_function) {
  v2::BatchUpdateBlobsRequest request;
  request.set_instance_name(instance);
  request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
  for (const Blob& blob : blobs) {
    auto* entry = request.add_requests();
    *entry->mutable_digest() = blob.digest;
    entry->set_data(blob.data);
  }
  v2::BatchUpdateBlobsResponse response;
  const grpc::Status status = batch_update(request, response);
  if (!status.ok()) {
    return ::testing::AssertionFailure()
           << "BatchUpdateBlobs failed: " << status.error_code() << " " << status.error_message();
  }
  if (response.responses_size() != request.requests_size()) {
    return ::testing::AssertionFailure()
           << "BatchUpdateBlobs answered " << response.responses_size() << " of "
           << request.requests_size() << " entries";
  }
  for (const auto& r : response.responses()) {
    if (r.status().code() != 0) {
      return ::testing::AssertionFailure() << "BatchUpdateBlobs entry " << r.digest().hash()
                                           << " failed: " << r.status().message();
    }
  }
  return ::testing::AssertionSuccess();
}

grpc::Status ServerTest::batch_update(const v2::BatchUpdateBlobsRequest& request,
                                      v2::BatchUpdateBlobsResponse& response) {
  return cas().BatchUpdateBlobs(context().get(), request, &response);
}

grpc::Status ServerTest::batch_read(const v2::BatchReadBlobsRequest& request,
                                    v2::BatchReadBlobsResponse& response) {
  return cas().BatchReadBlobs(context().get(), request, &response);
}

grpc::Status ServerTest::find_missing(const std::vector<v2::Digest>& digests,
                                      std::vector<v2::Digest>& missing, const std::string& instance,
                                      int digest_function) {
  v2::FindMissingBlobsRequest request;
  request.set_instance_name(instance);
  request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
  for (const auto& d : digests) *request.add_blob_digests() = d;
  v2::FindMissingBlobsResponse response;
  grpc::Status status = cas().FindMissingBlobs(context().get(), request, &response);
  missing.assign(response.missing_blob_digests().begin(), response.missing_blob_digests().end());
  return status;
}

bool ServerTest::is_stored(const v2::Digest& d, const std::string& instance, int digest_function) {
  std::vector<v2::Digest> missing;
  const grpc::Status status = find_missing({d}, missing, instance, digest_function);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() && missing.empty();
}

ReadResult ServerTest::read(const std::string& name, std::int64_t offset, std::int64_t limit) {
  bs::ReadRequest request;
  request.set_resource_name(name);
  request.set_read_offset(offset);
  request.set_read_limit(limit);
  auto ctx = context();
  auto reader = bytestream().Read(ctx.get(), request);
  ReadResult result;
  bs::ReadResponse response;
  while (reader->Read(&response)) {
    result.message_sizes.push_back(response.data().size());
    result.data += response.data();
  }
  result.status = reader->Finish();
  return result;
}

WriteResult ServerTest::write(const std::vector<bs::WriteRequest>& messages) {
  WriteResult result;
  bs::WriteResponse response;
  auto ctx = context();
  auto writer = bytestream().Write(ctx.get(), &response);
  for (const auto& message : messages) {
    if (!writer->Write(message)) break;
    ++result.messages_accepted;
  }
  writer->WritesDone();
  result.status = writer->Finish();
  result.committed_size = response.committed_size();
  return result;
}

::testing::AssertionResult ServerTest::write_blob(const Blob& blob, const std::string& instance) {
  const WriteResult result =
      write(write_stream(upload_name(blob.digest, instance), blob.data, 256 << 10));
  if (!result.status.ok()) {
    return ::testing::AssertionFailure() << "Write failed: " << result.status.error_code() << " "
                                         << result.status.error_message();
  }
  if (result.committed_size != blob.digest.size_bytes()) {
    return ::testing::AssertionFailure()
           << "Write committed " << result.committed_size << " of " << blob.digest.size_bytes();
  }
  return ::testing::AssertionSuccess();
}

grpc::Status ServerTest::query_write_status(const std::string& name,
                                            bs::QueryWriteStatusResponse& out) {
  bs::QueryWriteStatusRequest request;
  request.set_resource_name(name);
  return bytestream().QueryWriteStatus(context().get(), request, &out);
}

TreeCall ServerTest::get_tree(const v2::Digest& root, std::int32_t page_size,
                              const std::string& page_token, const std::string& instance,
                              int digest_function) {
  v2::GetTreeRequest request;
  request.set_instance_name(instance);
  *request.mutable_root_digest() = root;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  request.set_digest_function(static_cast<v2::DigestFunction::Value>(digest_function));
  auto ctx = context();
  auto reader = cas().GetTree(ctx.get(), request);
  TreeCall call;
  v2::GetTreeResponse response;
  while (reader->Read(&response)) call.messages.push_back(response);
  call.status = reader->Finish();
  return call;
}

void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::memory ? "memory" : "disk");
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::memory ? "Memory" : "Disk";
}

}  // namespace reference::testing
