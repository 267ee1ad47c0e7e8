// ByteStream messages decoded from hand-written wire bytes (wire.md section 8). The data
// fields are number 10 (key byte 0x52), not 2 or 4.

#include <gtest/gtest.h>

#include "google/bytestream/bytestream.pb.h"
#include "wire_bytes.h"

namespace {

namespace bs = google::bytestream;
using wire::bytes_field;
using wire::int_field;

TEST(ByteStreamWire, ReadRequest) {
  const std::string bytes = bytes_field(1, "blobs/abc/5") + int_field(2, 1) + int_field(3, 4);
  bs::ReadRequest req;
  ASSERT_TRUE(wire::decodes(bytes, req));
  EXPECT_EQ(req.resource_name(), "blobs/abc/5");
  EXPECT_EQ(req.read_offset(), 1);
  EXPECT_EQ(req.read_limit(), 4);

  bs::ReadRequest negative;  // int64 offsets: a negative offset must reach the server intact
  ASSERT_TRUE(wire::decodes(int_field(2, -3), negative));
  EXPECT_EQ(negative.read_offset(), -3);
}

TEST(ByteStreamWire, ReadResponseDataIsField10) {
  const std::string bytes = std::string("\x52\x05", 2) + "hello";
  bs::ReadResponse resp;
  ASSERT_TRUE(wire::decodes(bytes, resp));
  EXPECT_EQ(resp.data(), "hello");
}

TEST(ByteStreamWire, WriteRequest) {
  const std::string data(300, 'x');  // a length that needs a two-byte varint
  const std::string bytes = bytes_field(1, "uploads/u/blobs/abc/300") + int_field(2, 1 << 20) +
                            int_field(3, 1) + bytes_field(10, data);
  bs::WriteRequest req;
  ASSERT_TRUE(wire::decodes(bytes, req));
  EXPECT_EQ(req.resource_name(), "uploads/u/blobs/abc/300");
  EXPECT_EQ(req.write_offset(), 1 << 20);
  EXPECT_TRUE(req.finish_write());
  EXPECT_EQ(req.data(), data);
  EXPECT_EQ(bytes.substr(bytes.size() - 303, 3), "\x52\xac\x02");
}

TEST(ByteStreamWire, WriteResponse) {
  bs::WriteResponse resp;
  ASSERT_TRUE(wire::decodes(int_field(1, 5'000'000'000), resp));
  EXPECT_EQ(resp.committed_size(), 5'000'000'000);
}

TEST(ByteStreamWire, QueryWriteStatus) {
  bs::QueryWriteStatusRequest req;
  ASSERT_TRUE(wire::decodes(bytes_field(1, "uploads/u/blobs/abc/5"), req));
  EXPECT_EQ(req.resource_name(), "uploads/u/blobs/abc/5");

  bs::QueryWriteStatusResponse resp;
  ASSERT_TRUE(wire::decodes(int_field(1, 3) + int_field(2, 1), resp));
  EXPECT_EQ(resp.committed_size(), 3);
  EXPECT_TRUE(resp.complete());
}

}  // namespace
