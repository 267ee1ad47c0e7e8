// SplitBlob and SpliceBlob (optional, REAPI v2.12; shared/reapi/cas.md 5). When the server
// does not advertise them, one call each checks that they are refused (CAS-SPLIT-01).

#include "smoke.h"

namespace smoke {
namespace {

void split(Smoke& s) {
  v2::SplitBlobRequest request;
  request.set_instance_name(s.instance());
  request.set_digest_function(s.function_proto());
  std::string blob;
  std::string sent;
  if (s.facts.split_blob_support) {
    blob = s.random.bytes(static_cast<std::size_t>((2 << 20) + s.random.between(1, 65536)));
    const std::string upload = s.write_name(s.digest(blob));
    const WriteOutcome w = write_stream(s, upload, blob, 0, true, s.chunk_size());
    Expect stored;
    stored.code(w.status, grpc::StatusCode::OK);
    s.report.call("ByteStream.Write", brief_name(upload) + " for SplitBlob", w.status,
                  w.status.ok() ? "committed_size " + std::to_string(w.committed_size) : "",
                  stored);
    *request.mutable_blob_digest() = s.digest_proto(blob);
    sent = brief(request.blob_digest()) + " (stored)";
  } else {
    *request.mutable_blob_digest() = s.digest_proto(s.random.bytes(64));
    sent = brief(request.blob_digest()) + " (split_blob_support false)";
  }

  v2::SplitBlobResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.cas->SplitBlob(&context, request, &response);
  Expect expect;
  std::string got;
  if (!s.facts.split_blob_support) {
    expect.that(!status.ok(), "refused, UNIMPLEMENTED expected (CAS-SPLIT-01)");
  } else {
    expect.code(status, grpc::StatusCode::OK);
    if (status.ok()) {
      // Chunks in order concatenate to the blob (CAS-SPLIT-02), so each one must be the
      // digest of the next slice of it; this checks that without reading them back.
      std::size_t offset = 0;
      bool slices_match = true;
      for (const v2::Digest& chunk : response.chunk_digests()) {
        const auto size = static_cast<std::size_t>(chunk.size_bytes());
        if (chunk.size_bytes() < 0 || offset + size > blob.size() ||
            !same_digest(chunk, s.digest_proto(std::string_view(blob).substr(offset, size)))) {
          slices_match = false;
          break;
        }
        offset += size;
      }
      expect.that(slices_match && offset == blob.size(),
                  "chunks that concatenate to the blob (CAS-SPLIT-02)");
      got = std::to_string(response.chunk_digests_size()) + " chunks" +
            (slices_match && offset == blob.size() ? ", concatenating to the blob"
                                                   : ", NOT concatenating to the blob");
    }
  }
  s.report.call("SplitBlob", sent, status, got, expect);
}

void splice(Smoke& s) {
  v2::SpliceBlobRequest request;
  request.set_instance_name(s.instance());
  request.set_digest_function(s.function_proto());
  std::string blob;
  std::string sent;
  if (s.facts.splice_blob_support) {
    std::vector<Blob> parts;
    for (int i = 0; i < 3; ++i) {
      std::string part = s.random.bytes(static_cast<std::size_t>(s.random.between(10000, 100000)));
      blob += part;
      parts.push_back({s.digest_proto(part), std::move(part)});
      *request.add_chunk_digests() = parts.back().digest;
    }
    upload_blobs(s, "[3 chunks] for SpliceBlob", parts);
    sent = brief(s.digest(blob)) + " from 3 stored chunks";
  } else {
    // Nothing is uploaded: the call is only expected to be refused.
    *request.add_chunk_digests() = s.digest_proto(s.random.bytes(64));
    blob = s.random.bytes(64);
    sent = brief(s.digest(blob)) + " (splice_blob_support false)";
  }
  *request.mutable_blob_digest() = s.digest_proto(blob);

  v2::SpliceBlobResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.cas->SpliceBlob(&context, request, &response);
  Expect expect;
  std::string got;
  if (!s.facts.splice_blob_support) {
    expect.that(!status.ok(), "refused, UNIMPLEMENTED expected (CAS-SPLIT-01)");
  } else {
    expect.code(status, grpc::StatusCode::OK)
        .that(!status.ok() || same_digest(response.blob_digest(), request.blob_digest()),
              "blob_digest of the concatenation (CAS-SPLIT-06)");
    if (status.ok()) got = "blob_digest " + brief(response.blob_digest());
  }
  s.report.call("SpliceBlob", sent, status, got, expect);

  if (s.facts.splice_blob_support && status.ok()) {
    const ReadOutcome r = read_stream(s, s.read_name(s.digest(blob)));
    Expect read_expect;
    read_expect.code(r.status, grpc::StatusCode::OK)
        .that(!r.status.ok() || r.data == blob, "the spliced bytes (CAS-SPLIT-06)");
    s.report.call("ByteStream.Read", brief_name(s.read_name(s.digest(blob))) + " (spliced)",
                  r.status,
                  r.status.ok() ? std::to_string(r.data.size()) + " bytes" +
                                      (r.data == blob ? ", equal" : ", DIFFERENT")
                                : "",
                  read_expect);
  }
}

}  // namespace

void split_splice_calls(Smoke& s) {
  split(s);
  splice(s);
}

}  // namespace smoke
