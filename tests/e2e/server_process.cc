#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace e2e {
namespace {

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "reapi-e2e-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<std::string> argv_storage{REFERENCE_SERVER_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& args, std::chrono::seconds timeout)
    : dir_(make_temp_dir()) {
  std::vector<std::string> all{"--listen", "127.0.0.1:0", "--port-file", (dir_ / "port").string()};
  all.insert(all.end(), args.begin(), args.end());
  pid_ = spawn(all, dir_ / "log");
  if (pid_ < 0) return;
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (std::ifstream in(dir_ / "port"); in >> port_ && port_ > 0) return;
    port_ = 0;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited before serving
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::optional<int> ServerProcess::stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  kill(pid_, signal);
  auto status = wait_exit(pid_, timeout);
  if (status) {
    pid_ = -1;
    port_ = 0;
  }
  return status;
}

std::string ServerProcess::log() const { return read_file(dir_ / "log"); }

std::pair<int, std::string> run_server_command(const std::vector<std::string>& args) {
  TempDir dir;
  const pid_t pid = spawn(args, dir.path() / "log");
  if (pid < 0) return {-1, "spawn failed"};
  auto status = wait_exit(pid, std::chrono::seconds(30));
  if (!status) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return {-1, "timed out"};
  }
  return {*status, read_file(dir.path() / "log")};
}

TempDir::TempDir() : path_(make_temp_dir()) {}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace e2e
