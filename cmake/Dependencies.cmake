# Finds every dependency. gRPC and protobuf through pkg-config, as Debian 12 ships them;
# the rest through the CMake configs their Debian packages install.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
find_program(PROTOC protoc REQUIRED)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)

find_package(OpenSSL REQUIRED)
find_package(zstd REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
find_package(GTest REQUIRED)
find_package(rapidcheck REQUIRED)
find_package(benchmark REQUIRED)

# zstd's config names its target differently across versions.
if(TARGET zstd::libzstd_shared)
  set(ZSTD_TARGET zstd::libzstd_shared)
else()
  set(ZSTD_TARGET zstd::libzstd_static)
endif()
