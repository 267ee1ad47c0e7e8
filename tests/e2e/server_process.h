#pragma once
// Runs the reference-server binary as a child process on a free loopback port, for tests
// that need a real process: signals, kill -9, restarts. The destructor kills what is left.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

class ServerProcess {
 public:
  // Starts `reference-server --listen 127.0.0.1:0 --port-file ... <args>` and waits (up to
  // `timeout`) until it reports its port. Check running() / port() for the outcome.
  ServerProcess(const std::vector<std::string>& args,
                std::chrono::seconds timeout = std::chrono::seconds(30));
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool running() const { return port_ != 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Sends `signal` and waits up to `timeout` for the exit; the exit status if it exited.
  std::optional<int> stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(20));
  // Everything the server wrote to stderr/stdout so far.
  std::string log() const;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Runs the binary to completion with `args`; returns {exit code, combined output}.
std::pair<int, std::string> run_server_command(const std::vector<std::string>& args);

// A fresh temporary directory, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace e2e
