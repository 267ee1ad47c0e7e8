// ByteStream Write, QueryWriteStatus and Read of uncompressed blobs, including a resumed
// upload (shared/reapi/bytestream.md 2-4).

#include <algorithm>

#include "smoke.h"

namespace smoke {

WriteOutcome write_stream(Smoke& s, const std::string& resource_name, std::string_view data,
                          std::int64_t first_offset, bool finish, std::size_t chunk) {
  WriteOutcome out;
  google::bytestream::WriteResponse response;
  grpc::ClientContext context;
  s.target.prepare(context);
  auto writer = s.bytestream->Write(&context, &response);
  std::size_t position = 0;
  do {
    const std::size_t n = std::min(chunk, data.size() - position);
    google::bytestream::WriteRequest request;
    if (out.messages == 0) request.set_resource_name(resource_name);  // BS-WRITE-01
    request.set_write_offset(first_offset + static_cast<std::int64_t>(position));
    request.set_data(std::string(data.substr(position, n)));
    position += n;
    request.set_finish_write(finish && position == data.size());
    ++out.messages;
    // False once the server has ended the call (an early return or an error): stop sending.
    if (!writer->Write(request)) break;
  } while (position < data.size());
  writer->WritesDone();
  out.status = writer->Finish();
  out.committed_size = response.committed_size();
  return out;
}

ReadOutcome read_stream(Smoke& s, const std::string& resource_name, std::int64_t offset,
                        std::int64_t limit) {
  google::bytestream::ReadRequest request;
  request.set_resource_name(resource_name);
  request.set_read_offset(offset);
  request.set_read_limit(limit);
  grpc::ClientContext context;
  s.target.prepare(context);
  auto reader = s.bytestream->Read(&context, request);
  ReadOutcome out;
  google::bytestream::ReadResponse message;
  while (reader->Read(&message)) {
    out.data += message.data();
    ++out.messages;
  }
  out.status = reader->Finish();
  return out;
}

namespace {

// Uploads `data` in one stream and expects committed_size == size (BS-WRITE-03).
void write_whole(Smoke& s, const std::string& name, const std::string& data,
                 std::int64_t first_offset, std::string_view rules) {
  const std::string_view rest =
      std::string_view(data).substr(static_cast<std::size_t>(first_offset));
  const WriteOutcome w = write_stream(s, name, rest, first_offset, true, s.chunk_size());
  Expect expect;
  expect.code(w.status, grpc::StatusCode::OK)
      .that(!w.status.ok() || w.committed_size == static_cast<std::int64_t>(data.size()),
            "committed_size " + std::to_string(data.size()));
  std::string sent = brief_name(name) + " from offset " + std::to_string(first_offset) + ", " +
                     size_text(static_cast<std::int64_t>(rest.size())) + " in " +
                     messages_text(w.messages) + ", finish_write on the last ";
  sent += rules;
  s.report.call("ByteStream.Write", sent, w.status,
                w.status.ok() ? "committed_size " + std::to_string(w.committed_size) : "", expect);
}

void read_and_compare(Smoke& s, const std::string& name, const std::string& blob,
                      std::int64_t offset, std::int64_t limit, std::string_view rules) {
  const ReadOutcome r = read_stream(s, name, offset, limit);
  const std::string expected =
      blob.substr(static_cast<std::size_t>(offset),
                  limit == 0 ? std::string::npos : static_cast<std::size_t>(limit));
  Expect expect;
  expect.code(r.status, grpc::StatusCode::OK)
      .that(!r.status.ok() || r.data == expected, "the " + std::to_string(expected.size()) +
                                                      " bytes of the blob from offset " +
                                                      std::to_string(offset));
  std::string sent = brief_name(name) + ", read_offset " + std::to_string(offset) +
                     ", read_limit " + std::to_string(limit) + " ";
  sent += rules;
  s.report.call("ByteStream.Read", sent, r.status,
                r.status.ok()
                    ? std::to_string(r.data.size()) + " bytes in " + messages_text(r.messages) +
                          (r.data == expected ? ", equal" : ", DIFFERENT")
                    : "",
                expect);
}

}  // namespace

void bytestream_calls(Smoke& s) {
  // A ~3 MiB blob in several messages.
  const std::string big =
      s.random.bytes(static_cast<std::size_t>((3 << 20) + s.random.between(1, 65536)));
  const std::string big_name = s.write_name(s.digest(big));
  write_whole(s, big_name, big, 0, "(BS-WRITE-03)");

  // Half an upload without finish_write, then QueryWriteStatus and resume from
  // committed_size (BS-WRITE-13). Half-closing without finish_write may end in an error
  // (bytestream.md B9); only what QueryWriteStatus says afterwards matters.
  const std::string second =
      s.random.bytes(static_cast<std::size_t>((1 << 20) + s.random.between(1, 262144)));
  std::string second_name = s.write_name(s.digest(second));
  const std::size_t half = second.size() / 2;
  const WriteOutcome partial =
      write_stream(s, second_name, std::string_view(second).substr(0, half), 0, false,
                   std::min(s.chunk_size(), half / 2 + 1));
  s.report.call(
      "ByteStream.Write",
      brief_name(second_name) + ", first " + size_text(static_cast<std::int64_t>(half)) + " of " +
          size_text(static_cast<std::int64_t>(second.size())) + " in " +
          messages_text(partial.messages) +
          ", no finish_write, half-closed (any status; BS-WRITE-08)",
      partial.status,
      partial.status.ok() ? "committed_size " + std::to_string(partial.committed_size) : "",
      Expect{});

  google::bytestream::QueryWriteStatusRequest query;
  query.set_resource_name(second_name);
  google::bytestream::QueryWriteStatusResponse queried;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.bytestream->QueryWriteStatus(&context, query, &queried);
  Expect expect;
  std::int64_t resume_from = 0;
  std::string got;
  if (status.ok()) {
    const bool in_range = queried.committed_size() >= 0 &&
                          queried.committed_size() <= static_cast<std::int64_t>(half);
    expect.that(in_range, "0 <= committed_size <= " + std::to_string(half) + " (BS-QWS-05)")
        .that(!queried.complete(), "complete false (BS-QWS-03)");
    if (in_range) resume_from = queried.committed_size();
    got = "committed_size " + std::to_string(queried.committed_size()) + ", complete " +
          (queried.complete() ? "true" : "false") + "; resuming from " +
          std::to_string(resume_from);
  } else {
    // Servers without resumable uploads answer NOT_FOUND or UNIMPLEMENTED (bytestream.md B3);
    // clients then start again.
    expect.that(status.error_code() == grpc::StatusCode::NOT_FOUND ||
                    status.error_code() == grpc::StatusCode::UNIMPLEMENTED,
                "OK, NOT_FOUND or UNIMPLEMENTED");
    got = "restarting from 0 under a new uuid";
  }
  s.report.call("ByteStream.QueryWriteStatus", brief_name(second_name) + " (half uploaded)", status,
                got, expect);
  if (!status.ok() || !expect.met()) {
    second_name = s.write_name(s.digest(second));
    resume_from = 0;
  }
  write_whole(s, second_name, second, resume_from, "(BS-WRITE-13)");

  const std::int64_t offset = s.random.between(1, static_cast<std::int64_t>(big.size()) - 1);
  const std::int64_t limit = s.random.between(1, 262144);
  read_and_compare(s, s.read_name(s.digest(big)), big, offset, limit, "(BS-READ-03, BS-READ-07)");
  read_and_compare(s, s.read_name(s.digest(big)), big, 0, 0, "(BS-READ-01)");
  read_and_compare(s, s.read_name(s.digest(second)), second, 0, 0, "(resumed upload)");
}

}  // namespace smoke
