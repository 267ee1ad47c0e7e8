// Reaching a server: target addresses, extra headers, and the option checks of
// Target::connect (which creates the channel without dialling, so no server is needed).

#include "reapi/target.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace reapi {
namespace {

using Transport = Endpoint::Transport;

TEST(ParseTargetAddress, Accepts) {
  struct Case {
    std::string address;
    Transport transport;
    std::string grpc_target;
  };
  const std::vector<Case> cases{
      {"grpc://127.0.0.1:50051", Transport::insecure, "127.0.0.1:50051"},
      {"grpc://localhost:0", Transport::insecure, "localhost:0"},
      {"grpc://cas.example.com:65535", Transport::insecure, "cas.example.com:65535"},
      {"grpc://[::1]:8980", Transport::insecure, "[::1]:8980"},
      {"grpcs://cache.example.com:443", Transport::tls, "cache.example.com:443"},
      {"unix:/run/cas.sock", Transport::unix_socket, "unix:/run/cas.sock"},
      {"unix:/tmp/a b/c.sock", Transport::unix_socket, "unix:/tmp/a b/c.sock"},
      {"unix:///run/cas.sock", Transport::unix_socket, "unix:///run/cas.sock"},
  };
  for (const Case& c : cases) {
    const auto e = parse_target_address(c.address);
    ASSERT_TRUE(e.ok()) << c.address << ": " << e.status();
    EXPECT_EQ(e->transport, c.transport) << c.address;
    EXPECT_EQ(e->grpc_target, c.grpc_target);
  }
}

TEST(ParseTargetAddress, Rejects) {
  for (const char* bad : {
           "",
           "127.0.0.1:50051",         // no scheme
           "http://127.0.0.1:80",     // other scheme
           "https://host:443",        // other scheme
           "GRPC://host:1",           // schemes are lowercase
           "dns:///host:1",           // gRPC's own syntax is not ours
           "grpc://",                 // nothing after the scheme
           "grpc://host",             // missing port
           "grpc://host:",            // empty port
           "grpc://:50051",           // missing host
           "grpc://host:http",        // non-numeric port
           "grpc://host:-1",          // negative port
           "grpc://host:65536",       // port out of range
           "grpc://host:123456",      // port too long
           "grpc://host:50051/",      // trailing slash
           "grpc://host:50051/path",  // path
           "grpc://host/path:50051",  // path before the port
           "grpcs://host",            // missing port with TLS
           "unix:",                   // no path
           "unix:relative/cas.sock",  // relative path
           "unix://run/cas.sock",     // authority form is not an absolute path here
       }) {
    const auto e = parse_target_address(bad);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_FALSE(e.status().message().empty()) << bad;
  }
}

TEST(ParseHeader, SplitsTrimsAndLowercases) {
  const auto h = parse_header("Authorization: Bearer abc.def ");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->first, "authorization");
  EXPECT_EQ(h->second, "Bearer abc.def");

  const auto colon_in_value = parse_header("x-route:a:b");
  ASSERT_TRUE(colon_in_value.ok());
  EXPECT_EQ(colon_in_value->first, "x-route");
  EXPECT_EQ(colon_in_value->second, "a:b");

  const auto empty_value = parse_header("x-empty:");
  ASSERT_TRUE(empty_value.ok());
  EXPECT_EQ(empty_value->second, "");

  // Binary headers (-bin) may carry any bytes.
  const auto binary = parse_header(std::string("x-data-bin: \x01\x02\xff", 15));
  ASSERT_TRUE(binary.ok()) << binary.status();
  EXPECT_EQ(binary->second, std::string("\x01\x02\xff", 3));
}

TEST(ParseHeader, Rejects) {
  for (const std::string& bad : {
           std::string("no colon"),
           std::string(": value"),
           std::string("  : value"),
           std::string("bad name: v"),
           std::string("bad/name: v"),
           std::string("caf\xc3\xa9: v"),
           std::string("x-tab: a\tb"),
           std::string("x-newline: a\nb"),
           std::string("x-high: \xff"),
       }) {
    const auto h = parse_header(bad);
    EXPECT_EQ(h.status().code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_FALSE(h.status().message().empty());
  }
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = std::filesystem::temp_directory_path() /
            ("reapi_target_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) +
             ".pem");
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TargetOptions options_for(const std::string& address) {
  TargetOptions o;
  o.address = address;
  return o;
}

void expect_invalid(const TargetOptions& o, const std::string& why) {
  const auto t = Target::connect(o);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << why;
  EXPECT_FALSE(t.status().message().empty()) << why;
}

TEST(TargetConnect, StoresTheOptions) {
  TargetOptions o = options_for("grpc://127.0.0.1:1");
  o.instance_name = "main";
  o.max_message_size = "16MiB";
  o.deadline_seconds = 2.5;
  o.headers = {"Authorization: Bearer x", "x-b-bin: y"};
  const auto t = Target::connect(o);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_NE(t->channel(), nullptr);
  EXPECT_EQ(t->address(), "grpc://127.0.0.1:1");
  EXPECT_EQ(t->instance_name(), "main");
  EXPECT_EQ(t->max_message_size(), 16 << 20);
  EXPECT_EQ(t->deadline(), std::chrono::milliseconds(2500));
}

TEST(TargetConnect, UnixAndTlsTargetsConnectLazily) {
  EXPECT_TRUE(Target::connect(options_for("unix:/nonexistent/cas.sock")).ok());
  EXPECT_TRUE(Target::connect(options_for("grpcs://127.0.0.1:1")).ok());
  TempFile ca("not really a PEM file; the channel is never dialled");
  TargetOptions o = options_for("grpcs://127.0.0.1:1");
  o.tls_ca_file = ca.path();
  o.tls_server_name = "cas.example.com";
  EXPECT_TRUE(Target::connect(o).ok());
}

TEST(TargetConnect, RejectsBadAddressOrHeader) {
  expect_invalid(options_for("http://127.0.0.1:1"), "bad scheme");
  TargetOptions o = options_for("grpc://127.0.0.1:1");
  o.headers = {"good: 1", "bad header"};
  expect_invalid(o, "bad header");
}

TEST(TargetConnect, RejectsTlsFilesWithoutTls) {
  TempFile file("x");
  for (auto set :
       {&TargetOptions::tls_ca_file, &TargetOptions::tls_cert_file, &TargetOptions::tls_key_file}) {
    for (const char* address : {"grpc://127.0.0.1:1", "unix:/run/cas.sock"}) {
      TargetOptions o = options_for(address);
      o.*set = file.path();
      expect_invalid(o, std::string("TLS file with ") + address);
    }
  }
}

TEST(TargetConnect, MutualTlsNeedsCertAndKey) {
  TempFile cert("cert");
  TargetOptions only_cert = options_for("grpcs://127.0.0.1:1");
  only_cert.tls_cert_file = cert.path();
  expect_invalid(only_cert, "cert without key");
  TargetOptions only_key = options_for("grpcs://127.0.0.1:1");
  only_key.tls_key_file = cert.path();
  expect_invalid(only_key, "key without cert");
}

TEST(TargetConnect, UnreadableTlsFilesAreReported) {
  TargetOptions o = options_for("grpcs://127.0.0.1:1");
  o.tls_ca_file = "/nonexistent/ca.pem";
  expect_invalid(o, "missing CA file");
  TempFile cert("cert");
  TargetOptions mtls = options_for("grpcs://127.0.0.1:1");
  mtls.tls_cert_file = cert.path();
  mtls.tls_key_file = "/nonexistent/key.pem";
  expect_invalid(mtls, "missing key file");
}

TEST(TargetConnect, RejectsBadMaxMessageSize) {
  for (const char* bad : {"", "0", "0B", "lots", "-1", "2GiB", "3GB", "1TiB"}) {
    TargetOptions o = options_for("grpc://127.0.0.1:1");
    o.max_message_size = bad;
    expect_invalid(o, std::string("max message size '") + bad + "'");
  }
  TargetOptions largest = options_for("grpc://127.0.0.1:1");
  largest.max_message_size = "2147483647";
  EXPECT_TRUE(Target::connect(largest).ok());
}

TEST(TargetConnect, RejectsNonPositiveDeadline) {
  for (double bad : {0.0, -1.0, std::nan("")}) {
    TargetOptions o = options_for("grpc://127.0.0.1:1");
    o.deadline_seconds = bad;
    expect_invalid(o, "deadline " + std::to_string(bad));
  }
}

TEST(TargetOptionsCli, ParsesEveryOption) {
  CLI::App app;
  TargetOptions o;
  add_target_options(app, o);
  const std::vector<std::string> args{
      "prog",  "--target",          "grpcs://h:1", "--instance",      "a/b",   "--header",
      "x: 1",  "--header",          "y: 2",        "--deadline",      "7",     "--max-message-size",
      "8MiB",  "--tls-ca-file",     "ca.pem",      "--tls-cert-file", "c.pem", "--tls-key-file",
      "k.pem", "--tls-server-name", "srv"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  ASSERT_NO_THROW(app.parse(static_cast<int>(argv.size()), argv.data()));
  EXPECT_EQ(o.address, "grpcs://h:1");
  EXPECT_EQ(o.instance_name, "a/b");
  EXPECT_EQ(o.headers, (std::vector<std::string>{"x: 1", "y: 2"}));
  EXPECT_EQ(o.deadline_seconds, 7);
  EXPECT_EQ(o.max_message_size, "8MiB");
  EXPECT_EQ(o.tls_ca_file, "ca.pem");
  EXPECT_EQ(o.tls_cert_file, "c.pem");
  EXPECT_EQ(o.tls_key_file, "k.pem");
  EXPECT_EQ(o.tls_server_name, "srv");
}

TEST(TargetOptionsCli, TargetIsRequired) {
  CLI::App app;
  TargetOptions o;
  add_target_options(app, o);
  const char* argv[] = {"prog", "--instance", "x"};
  EXPECT_THROW(app.parse(3, argv), CLI::RequiredError);
}

}  // namespace
}  // namespace reapi
