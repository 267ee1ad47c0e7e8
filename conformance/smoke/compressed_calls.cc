// ByteStream Write and Read under compressed-blobs/zstd, when the server advertises ZSTD
// (shared/reapi/bytestream.md 5).

#include <algorithm>

#include "smoke.h"

namespace smoke {

void compressed_calls(Smoke& s) {
  if (!s.facts.advertises(reapi::Compressor::zstd)) {
    s.report.skip("ByteStream.Write compressed-blobs/zstd", "not advertised");
    s.report.skip("ByteStream.Read compressed-blobs/zstd", "not advertised");
    return;
  }
  // Random letters: unique to this run, yet compressible, so the transfer is really smaller.
  const std::string blob =
      s.random.letters(static_cast<std::size_t>(s.random.between(256 << 10, 768 << 10)));
  const reapi::Digest digest = s.digest(blob);
  const std::string compressed = reapi::zstd_compress(blob, 3);
  const std::string upload = s.write_name(digest, reapi::Compressor::zstd);
  // Several messages; their offsets count compressed bytes (BS-COMP-05).
  const WriteOutcome w = write_stream(s, upload, compressed, 0, true,
                                      std::min(s.chunk_size(), compressed.size() / 3 + 1));
  const auto compressed_size = static_cast<std::int64_t>(compressed.size());
  const auto blob_size = static_cast<std::int64_t>(blob.size());
  Expect expect;
  expect.code(w.status, grpc::StatusCode::OK)
      .that(!w.status.ok() || w.committed_size == compressed_size || w.committed_size == -1 ||
                w.committed_size == blob_size,
            "committed_size " + std::to_string(compressed_size) + " or -1 (BS-WRITE-07)");
  std::string got;
  if (w.status.ok()) {
    got = "committed_size " + std::to_string(w.committed_size);
    // Accepted, but some clients (Bazel, Buck2) expect the compressed count or -1.
    if (w.committed_size == blob_size && blob_size != compressed_size) {
      got += " (the uncompressed size; BS-WRITE-07 prefers " + std::to_string(compressed_size) +
             " or -1)";
    }
  }
  s.report.call("ByteStream.Write",
                brief_name(upload) + ", zstd(" + size_text(blob_size) +
                    ") = " + size_text(compressed_size) + " in " + messages_text(w.messages) +
                    ", finish_write on the last (BS-COMP-05, BS-WRITE-07)",
                w.status, got, expect);

  const std::string name = s.read_name(digest, reapi::Compressor::zstd);
  const ReadOutcome r = read_stream(s, name);
  Expect read_expect;
  read_expect.code(r.status, grpc::StatusCode::OK);
  std::string read_got;
  if (r.status.ok()) {
    // The server's compression level is its own choice (BS-COMP-06): compare decoded bytes.
    const auto decoded = reapi::zstd_decompress(r.data, blob_size);
    const bool equal = decoded.ok() && *decoded == blob;
    read_expect.that(equal, "data decompressing to the blob (BS-COMP-01)");
    read_got = std::to_string(r.data.size()) + " compressed bytes in " + messages_text(r.messages) +
               ", " +
               (decoded.ok() ? (equal ? "decompressed equal" : "decompressed DIFFERENT")
                             : "not valid zstd: " + std::string(decoded.status().message()));
  }
  s.report.call("ByteStream.Read", brief_name(name) + " (BS-COMP-01)", r.status, read_got,
                read_expect);
}

}  // namespace smoke
