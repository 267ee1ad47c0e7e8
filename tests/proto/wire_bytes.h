#pragma once
// A few lines of protobuf wire encoding, written from the encoding spec so the tests can
// build message bytes without the protobuf library: a field is a key varint
// (field_number << 3 | wire_type) followed by a varint (type 0) or a length and the bytes
// (type 2). Plus a check that a parse left no field unrecognised.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wire {

inline std::string varint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
  return out;
}

inline std::string key(int field, int wire_type) {
  return varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire_type));
}

// Wire type 0: int32, int64, uint32, uint64, bool, enum. Negative int32/int64 values are
// sign-extended to 64 bits, hence ten bytes.
inline std::string int_field(int field, std::int64_t value) {
  return key(field, 0) + varint(static_cast<std::uint64_t>(value));
}
inline std::string uint_field(int field, std::uint64_t value) {
  return key(field, 0) + varint(value);
}

// Wire type 2: string, bytes, nested message, packed repeated scalars.
inline std::string bytes_field(int field, std::string_view bytes) {
  return key(field, 2) + varint(bytes.size()) + std::string(bytes);
}

inline std::string packed_field(int field, const std::vector<std::uint64_t>& values) {
  std::string payload;
  for (std::uint64_t v : values) payload += varint(v);
  return bytes_field(field, payload);
}

// Names of fields the parser kept as unknown, anywhere in `message` (empty when every
// hand-written field number was recognised).
inline std::vector<std::string> unknown_fields(const google::protobuf::Message& message,
                                               const std::string& path = "") {
  std::vector<std::string> out;
  const auto* reflection = message.GetReflection();
  const auto& unknown = reflection->GetUnknownFields(message);
  for (int i = 0; i < unknown.field_count(); ++i) {
    out.push_back(path + message.GetDescriptor()->name() + ".#" +
                  std::to_string(unknown.field(i).number()));
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string here = path + message.GetDescriptor()->name() + "." + field->name() + "/";
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        auto nested = unknown_fields(reflection->GetRepeatedMessage(message, field, j), here);
        out.insert(out.end(), nested.begin(), nested.end());
      }
    } else {
      auto nested = unknown_fields(reflection->GetMessage(message, field), here);
      out.insert(out.end(), nested.begin(), nested.end());
    }
  }
  return out;
}

// Parses `bytes` into `message`, then checks that no field was left unrecognised and that
// serializing gives the same bytes back (the hand-written bytes are in field-number order,
// the canonical encoding of COM-17). Use as ASSERT_TRUE(wire::decodes(bytes, message)).
inline ::testing::AssertionResult decodes(const std::string& bytes,
                                          google::protobuf::Message& message) {
  const std::string type = message.GetDescriptor()->full_name();
  if (!message.ParseFromString(bytes)) {
    return ::testing::AssertionFailure() << type << " did not parse";
  }
  if (const auto unknown = unknown_fields(message); !unknown.empty()) {
    auto failure = ::testing::AssertionFailure() << type << " has unknown fields:";
    for (const auto& u : unknown) failure << " " << u;
    return failure;
  }
  if (message.SerializeAsString() != bytes) {
    return ::testing::AssertionFailure() << type << " re-encodes differently";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace wire
