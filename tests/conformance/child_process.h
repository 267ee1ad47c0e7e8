#pragma once
// A child process for the fault injection test: started with its output in a log file,
// waited for with a time bound, killed if it is still running when the test is done.
// Also a temporary directory that removes itself.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace conformance_test {

class ChildProcess {
 public:
  // Starts `program args...`, stdout and stderr to `log`. Check started() / error().
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::filesystem::path& log);
  ~ChildProcess();  // SIGKILL and reap, if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  // The exit code (128 + N if killed by signal N) if the child ends within `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Whether the child is still running (reaps it if it has ended).
  bool running();
  void send(int signal);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string error_;
};

class TempDir {
 public:
  TempDir();  // under /dev/shm when it exists, else the system temp directory
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The whole file, or "" if it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace conformance_test
