#include "storage/disk_storage.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "reapi/byte_size.h"
#include "storage/disk_layout.h"
#include "storage/run_concurrently.h"

namespace reference {
namespace fs = std::filesystem;

namespace {

absl::Status too_large(const BlobKey& key, std::int64_t capacity) {
  return absl::ResourceExhaustedError("blob " + key.to_string() +
                                      " is larger than the whole disk storage (" +
                                      reapi::format_byte_size(capacity) + ")");
}

absl::Status filesystem_status(const std::error_code& error, std::string_view what,
                               const fs::path& path) {
  return errno_status(error.value(), what, path.string());
}

class DiskBlobReader final : public BlobReader {
 public:
  DiskBlobReader(UniqueFd fd, std::int64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}

  std::int64_t size() const override { return size_; }

  absl::Status read(std::int64_t offset, std::size_t length, std::string& out) override {
    if (offset < 0 || offset > size_) {
      return absl::OutOfRangeError("read offset " + std::to_string(offset) +
                                   " is outside the blob of " + std::to_string(size_) + " bytes");
    }
    const std::size_t count = std::min(length, static_cast<std::size_t>(size_ - offset));
    const std::size_t old_size = out.size();
    out.resize(old_size + count);
    auto status = pread_exact(fd_.get(), out.data() + old_size, count, offset, path_);
    if (!status.ok()) out.resize(old_size);
    return status;
  }

 private:
  const UniqueFd fd_;
  const std::int64_t size_;
  const std::string path_;
};

// Best effort: the modification time is the recency a restart sees.
void mark_used(const std::string& path) { ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

}  // namespace

// Appends stream into a temp file; commit() flushes it and has the storage publish it.
// write_batch() takes the steps of commit() itself (finish(), then the storage's), so that
// it can do each step for many writers at once.
class DiskBlobWriter final : public BlobWriter {
 public:
  DiskBlobWriter(DiskStorage& storage, BlobKey key, std::string relative_path,
                 std::string temp_path, UniqueFd fd)
      : storage_(storage),
        key_(std::move(key)),
        relative_path_(std::move(relative_path)),
        temp_path_(std::move(temp_path)),
        fd_(std::move(fd)) {}

  ~DiskBlobWriter() override {
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  }

  absl::Status append(std::string_view data) override {
    if (spent_) return absl::FailedPreconditionError("append after commit");
    if (!failed_.ok()) return failed_;
    if (size_ + static_cast<std::int64_t>(data.size()) > storage_.capacity_) {
      return fail(too_large(key_, storage_.capacity_));
    }
    if (auto status = write_all(fd_.get(), data, temp_path_); !status.ok()) return fail(status);
    size_ += static_cast<std::int64_t>(data.size());
    start_writeback(kWritebackChunk);
    return absl::OkStatus();
  }

  std::int64_t size() const override { return size_; }

  absl::Status commit() override {
    if (auto status = finish(); !status.ok()) return status;
    return storage_.publish(*this);
  }

  // Ends writing: the error that failed an append if any, else flushes the temp file
  // (fsync) and closes it. The writer is spent afterwards, whatever the result.
  absl::Status finish() {
    if (std::exchange(spent_, true)) return absl::FailedPreconditionError("commit twice");
    if (!failed_.ok()) return failed_;
    if (::fsync(fd_.get()) != 0) return errno_status(errno, "fsync", temp_path_);
    return fd_.close();
  }

  // Asks the kernel to start writing out what was appended since the last call, once that
  // is at least `min_bytes` (> 0), without waiting for it: the disk then works while more
  // arrives, and the fsync that makes the blob durable finds little left to write.
  void start_writeback(std::int64_t min_bytes) {
    if (size_ - writeback_from_ < min_bytes) return;
    // Best effort: a write error here is reported again by fsync.
    ::sync_file_range(fd_.get(), writeback_from_, size_ - writeback_from_, SYNC_FILE_RANGE_WRITE);
    writeback_from_ = size_;
  }

  // The temp file is the blob now; it is no longer ours to delete.
  void placed() { temp_path_.clear(); }

  const BlobKey& key() const { return key_; }
  const std::string& relative_path() const { return relative_path_; }
  std::string relative_dir() const { return relative_path_.substr(0, relative_path_.rfind('/')); }
  const std::string& temp_path() const { return temp_path_; }

 private:
  // Writeback starts every this many bytes appended.
  static constexpr std::int64_t kWritebackChunk = 8 << 20;

  absl::Status fail(absl::Status status) {
    failed_ = std::move(status);
    if (::ftruncate(fd_.get(), 0) != 0) {
      // Only frees space early; the destructor deletes the file anyway.
    }
    return failed_;
  }

  DiskStorage& storage_;
  const BlobKey key_;
  const std::string relative_path_;
  std::string temp_path_;  // empty once placed
  UniqueFd fd_;
  std::int64_t size_ = 0;
  std::int64_t writeback_from_ = 0;
  absl::Status failed_;
  bool spent_ = false;
};

absl::StatusOr<std::unique_ptr<DiskStorage>> DiskStorage::open(const fs::path& root,
                                                               std::int64_t capacity_bytes) {
  if (root.empty()) return absl::InvalidArgumentError("disk storage needs a root directory");
  if (capacity_bytes <= 0) {
    return absl::InvalidArgumentError("disk storage capacity must be more than 0 bytes");
  }
  for (const std::string_view sub :
       {disk_layout::kCasDir, disk_layout::kActionCacheDir, disk_layout::kTempDir}) {
    std::error_code error;
    fs::create_directories(root / sub, error);
    if (error) return filesystem_status(error, "create directory", root / sub);
  }

  const fs::path lock_path = root / "lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock.valid()) return errno_status(errno, "open", lock_path.string());
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError("disk storage " + root.string() +
                                           " is in use by another server");
    }
    return errno_status(errno, "flock", lock_path.string());
  }

  // Leftovers of writes that never committed (e.g. after kill -9) are never blobs.
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root / disk_layout::kTempDir, error)) {
    std::error_code remove_error;
    fs::remove_all(entry.path(), remove_error);
    if (remove_error) {
      return filesystem_status(remove_error, "remove leftover temp file", entry.path());
    }
  }
  if (error) return filesystem_status(error, "list", root / disk_layout::kTempDir);

  auto storage = std::make_unique<DiskStorage>(PrivateTag{}, root, capacity_bytes, std::move(lock));
  storage->load_index();
  return storage;
}

DiskStorage::DiskStorage(PrivateTag, fs::path root, std::int64_t capacity_bytes, UniqueFd root_lock)
    : root_(std::move(root)), capacity_(capacity_bytes), root_lock_(std::move(root_lock)) {}

void DiskStorage::load_index() {
  struct Found {
    BlobKey key;
    std::int64_t size;
    timespec modified;
  };
  std::vector<Found> found;
  std::int64_t ignored = 0;
  for (const std::string_view top : {disk_layout::kCasDir, disk_layout::kActionCacheDir}) {
    std::error_code error;
    fs::recursive_directory_iterator it(root_ / top, error), end;
    for (; !error && it != end; it.increment(error)) {
      std::error_code type_error;
      const fs::file_status status = it->symlink_status(type_error);
      if (type_error || fs::is_directory(status)) continue;
      const std::string relative = it->path().lexically_relative(root_).generic_string();
      auto key = disk_layout::parse_blob_path(relative);
      struct stat info {};
      if (key.ok() && !fs::is_regular_file(status)) {
        key = absl::InvalidArgumentError("not a regular file");
      }
      if (key.ok() && ::lstat(it->path().c_str(), &info) != 0) {
        key = errno_status(errno, "stat", relative);
      }
      if (!key.ok()) {
        spdlog::warn("disk storage {}: ignoring {}: {}", root_.string(), relative,
                     std::string(key.status().message()));
        ++ignored;
        continue;
      }
      found.push_back(
          Found{*std::move(key), static_cast<std::int64_t>(info.st_size), info.st_mtim});
    }
    if (error) {
      spdlog::warn("disk storage {}: stopped listing {}: {}", root_.string(),
                   (root_ / top).string(), error.message());
    }
  }

  // Oldest first, so that the most recently used ends up at the front.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::pair(a.modified.tv_sec, a.modified.tv_nsec) <
           std::pair(b.modified.tv_sec, b.modified.tv_nsec);
  });
  std::lock_guard lock(mutex_);
  for (Found& blob : found) index_.put(blob.key, NoValue{}, blob.size);
  std::int64_t evicted = 0;
  index_.evict_to(capacity_, nullptr, [&](const BlobKey& key, const auto&) {
    unlink_blob(key);
    ++evicted;
  });
  spdlog::info("disk storage {}: {} blobs, {} of {} ({} evicted, {} files ignored)", root_.string(),
               index_.count(), reapi::format_byte_size(index_.bytes()),
               reapi::format_byte_size(capacity_), evicted, ignored);
}

bool DiskStorage::contains(const BlobKey& key) {
  auto relative = disk_layout::blob_path(key);
  if (!relative.ok()) return false;
  {
    std::lock_guard lock(mutex_);
    if (index_.touch(key) == nullptr) return false;
  }
  mark_used(absolute(*relative));
  return true;
}

absl::StatusOr<std::unique_ptr<BlobReader>> DiskStorage::open(const BlobKey& key) {
  auto relative = disk_layout::blob_path(key);
  if (!relative.ok()) return relative.status();
  const absl::Status not_found = absl::NotFoundError("blob " + key.to_string() + " not found");
  {
    std::lock_guard lock(mutex_);
    if (index_.touch(key) == nullptr) return not_found;
  }
  const std::string path = absolute(*relative);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return not_found;  // evicted or removed since the lookup
    return errno_status(errno, "open", path);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return errno_status(errno, "fstat", path);
  ::futimens(fd.get(), nullptr);  // best effort, as in mark_used()
  return std::make_unique<DiskBlobReader>(std::move(fd), static_cast<std::int64_t>(info.st_size),
                                          path);
}

absl::StatusOr<std::unique_ptr<BlobWriter>> DiskStorage::create(const BlobKey& key) {
  auto writer = start_write(key);
  if (!writer.ok()) return writer.status();
  return *std::move(writer);
}

absl::StatusOr<std::unique_ptr<DiskBlobWriter>> DiskStorage::start_write(const BlobKey& key) {
  auto relative = disk_layout::blob_path(key);
  if (!relative.ok()) return relative.status();
  if (key.space == Space::cas && key.digest.size_bytes > capacity_) {
    return too_large(key, capacity_);
  }
  std::string temp_path = (root_ / disk_layout::kTempDir / "blob-XXXXXX").string();
  UniqueFd fd(::mkostemp(temp_path.data(), O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, "create temp file in", temp_path);
  return std::make_unique<DiskBlobWriter>(*this, key, *std::move(relative), std::move(temp_path),
                                          std::move(fd));
}

absl::Status DiskStorage::remove(const BlobKey& key) {
  if (auto relative = disk_layout::blob_path(key); !relative.ok()) return relative.status();
  std::lock_guard lock(mutex_);
  if (index_.erase(key)) unlink_blob(key);
  return absl::OkStatus();
}

StorageUsage DiskStorage::usage() const {
  std::lock_guard lock(mutex_);
  return StorageUsage{index_.bytes(), index_.count(), capacity_};
}

std::string DiskStorage::describe() const {
  return "disk:" + root_.string() + " (" + reapi::format_byte_size(capacity_) + ")";
}

std::vector<absl::Status> DiskStorage::write_batch(std::span<const BlobWrite> blobs) {
  std::vector<absl::Status> statuses;
  statuses.reserve(blobs.size());
  for (std::size_t start = 0; start < blobs.size(); start += kBatchSlice) {
    write_slice(blobs.subspan(start, std::min(kBatchSlice, blobs.size() - start)), statuses);
  }
  return statuses;
}

void DiskStorage::write_slice(std::span<const BlobWrite> blobs,
                              std::vector<absl::Status>& statuses) {
  // The steps of commit() for every blob at once; a blob that fails a step drops out, and
  // its writer (destroyed at the latest on return) deletes its temp file.
  std::vector<absl::Status> status(blobs.size());
  std::vector<std::unique_ptr<DiskBlobWriter>> writers(blobs.size());
  const auto drop_failed = [&] {
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (!status[i].ok()) writers[i].reset();
    }
  };

  // 1. Each blob into a temp file of its own, its writeback started while the next ones are
  // written (measured: a little faster than leaving it all to the flushes below).
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    auto writer = start_write(blobs[i].key);
    status[i] = writer.ok() ? (*writer)->append(blobs[i].data) : writer.status();
    if (status[i].ok()) {
      (*writer)->start_writeback(1);
      writers[i] = *std::move(writer);
    }
  }

  // 2. The files flushed from a few threads at once, which the filesystem serves together
  // (ext4: a few journal commits for the lot, where one thread pays one per file). One
  // syncfs(2) is about as fast, but it also waits for every other dirty file on the
  // filesystem (a big upload in progress, other programs) and cannot tell which blob an
  // error belongs to.
  run_concurrently(blobs.size(), kSyncThreads, [&](std::size_t i) {
    if (writers[i] != nullptr) status[i] = writers[i]->finish();
  });
  drop_failed();

  // 3. Their directories, each once (and concurrently: creating one flushes its parent).
  std::map<std::string, std::vector<std::size_t>> blobs_by_dir;
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    if (writers[i] != nullptr) blobs_by_dir[writers[i]->relative_dir()].push_back(i);
  }
  const std::vector<std::pair<std::string, std::vector<std::size_t>>> dirs(blobs_by_dir.begin(),
                                                                           blobs_by_dir.end());
  run_concurrently(dirs.size(), kSyncThreads, [&](std::size_t d) {
    const absl::Status created = ensure_directory(dirs[d].first);
    if (!created.ok()) {
      for (const std::size_t i : dirs[d].second) status[i] = created;
    }
  });
  drop_failed();

  // 4. Into place in batch order, as write_blob() after write_blob() would.
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      if (writers[i] != nullptr) status[i] = place_locked(*writers[i]);
    }
  }

  // 5. The renames durable: each directory flushed once, concurrently.
  run_concurrently(dirs.size(), kSyncThreads, [&](std::size_t d) {
    const auto& members = dirs[d].second;
    if (std::none_of(members.begin(), members.end(),
                     [&](std::size_t i) { return status[i].ok(); })) {
      return;
    }
    const absl::Status flushed = fsync_directory(absolute(dirs[d].first));
    if (!flushed.ok()) {
      for (const std::size_t i : members) {
        if (status[i].ok()) status[i] = flushed;
      }
    }
  });
  for (absl::Status& s : status) statuses.push_back(std::move(s));
}

absl::Status DiskStorage::ensure_directory(const std::string& relative_dir) {
  std::string path = root_.string();
  std::size_t start = 0;
  while (start <= relative_dir.size()) {
    const std::size_t slash = std::min(relative_dir.find('/', start), relative_dir.size());
    const std::string parent = path;
    path += "/" + relative_dir.substr(start, slash - start);
    const std::string relative = relative_dir.substr(0, slash);
    start = slash + 1;
    bool durable = false;
    if (::mkdir(path.c_str(), 0755) != 0) {
      if (errno != EEXIST) return errno_status(errno, "create directory", path);
      std::lock_guard lock(directories_mutex_);
      durable = durable_directories_.contains(relative);
    }
    if (!durable) {
      // Its creator (maybe another thread, maybe a process that crashed) may not have
      // flushed the parent yet; a blob in it is only durable once that is done.
      if (auto status = fsync_directory(parent); !status.ok()) return status;
      std::lock_guard lock(directories_mutex_);
      durable_directories_.insert(relative);
    }
  }
  return absl::OkStatus();
}

absl::Status DiskStorage::publish(DiskBlobWriter& writer) {
  const std::string relative_dir = writer.relative_dir();
  if (auto status = ensure_directory(relative_dir); !status.ok()) return status;
  {
    std::lock_guard lock(mutex_);
    if (auto status = place_locked(writer); !status.ok()) return status;
  }
  // The rename is durable once its directory is.
  return fsync_directory(absolute(relative_dir));
}

absl::Status DiskStorage::place_locked(DiskBlobWriter& writer) {
  const std::string path = absolute(writer.relative_path());
  if (::rename(writer.temp_path().c_str(), path.c_str()) != 0) {
    const int error = errno;
    auto status = errno_status(error, "rename into place", path);
    // A vanished temp file is our fault, not a missing blob.
    return error == ENOENT ? absl::InternalError(std::string(status.message())) : status;
  }
  writer.placed();
  index_.put(writer.key(), NoValue{}, writer.size());
  index_.evict_to(capacity_, &writer.key(),
                  [this](const BlobKey& victim, const auto&) { unlink_blob(victim); });
  return absl::OkStatus();
}

void DiskStorage::unlink_blob(const BlobKey& key) const {
  auto relative = disk_layout::blob_path(key);
  if (!relative.ok()) return;  // cannot happen: only valid keys are indexed
  const std::string path = absolute(*relative);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("disk storage {}: cannot delete {}: {}", root_.string(), path,
                 std::string(errno_status(errno, "unlink", path).message()));
  }
}

std::string DiskStorage::absolute(const std::string& relative_path) const {
  return (root_ / relative_path).string();
}

}  // namespace reference
