// reapi-faulty-server: the reference server with one deliberate bug, named by --fault, for
// proving that the conformance checks can fail. Test-only: nothing here is part of the
// shipped server. Writes the bound port to --port-file and serves until SIGINT/SIGTERM.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "fault_plan.h"
#include "faults_markdown.h"
#include "server/reference_server.h"
#include "silent_server.h"
#include "storage/storage_spec.h"

namespace {

struct Options {
  std::string fault;
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  std::string storage = "memory:1GiB";
  std::string log_level = "warn";
  std::string faults_md;
};

std::string fault_list() {
  std::string text = "Faults:\n";
  for (const auto& fault : faulty::all_faults()) {
    text += "  " + std::string(fault.name) + ": " + std::string(fault.description) + "\n";
  }
  return text;
}

// 0 to go on, else the exit code (0 after --help, 2 for a usage error).
int parse(int argc, char** argv, Options& options, bool& help) {
  CLI::App app{"reapi-faulty-server: the reference server with one deliberate bug (test-only)"};
  app.footer(fault_list());
  app.add_option("--fault", options.fault, "Which bug to have (see below)")
      ->check([](const std::string& name) {
        return faulty::find_fault(name) ? std::string()
                                        : "unknown fault '" + name + "' (see --help)";
      });
  app.add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--port-file", options.port_file, "File to write the bound port to");
  app.add_option("--storage", options.storage, "Storage spec, as reference-server takes it")
      ->capture_default_str();
  app.add_option("--log-level", options.log_level, "spdlog level")->capture_default_str();
  app.add_option("--faults-md", options.faults_md,
                 "Write the faults and the checks that catch them as Markdown to FILE, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    help = e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
    const int code = app.exit(e);
    return help ? code : 2;
  }
  if (options.fault.empty() && options.faults_md.empty()) {
    std::cerr << "reapi-faulty-server: --fault is required (see --help)\n";
    return 2;
  }
  return 0;
}

void write_port_file(const std::string& path, int port) {
  if (path.empty()) return;
  // Written whole, then renamed: a reader never sees a partial file.
  const std::string temp = path + ".tmp";
  std::ofstream(temp) << port << "\n";
  std::rename(temp.c_str(), path.c_str());
}

int run(int argc, char** argv) {
  Options options;
  bool help = false;
  if (int code = parse(argc, argv, options, help); code != 0 || help) return code;
  if (!options.faults_md.empty()) {
    std::ofstream out(options.faults_md);
    faulty::write_faults_markdown(out);
    if (!out) {
      std::cerr << "reapi-faulty-server: cannot write " << options.faults_md << "\n";
      return 1;
    }
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  const faulty::FaultEntry& fault = *faulty::find_fault(options.fault);
  faulty::FaultPlan plan = fault.make();

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Declared after `plan` so that they stop before it goes; the proxy before the server.
  std::unique_ptr<faulty::SilentServer> silent_server;
  std::unique_ptr<reference::ReferenceServer> grpc_server;
  std::unique_ptr<faulty::ShapingProxy> proxy;
  int port = 0;
  if (plan.silent_socket) {
    auto silent = faulty::SilentServer::start(options.listen);
    if (!silent.ok()) {
      std::cerr << "reapi-faulty-server: " << silent.status().message() << "\n";
      return 1;
    }
    silent_server = *std::move(silent);
    port = silent_server->port();
  } else {
    auto storage = reference::open_storage(options.storage);
    if (!storage.ok()) {
      std::cerr << "reapi-faulty-server: --storage: " << storage.status().message() << "\n";
      return 2;
    }
    if (plan.wrap_storage) storage = plan.wrap_storage(*std::move(storage));
    reference::ServerConfig config;
    // Behind a proxy, the server itself listens on a loopback port of its own.
    config.listen = {plan.shaping ? "127.0.0.1:0" : options.listen};
    config.storage = options.storage;
    auto hook = [&plan](grpc::ServerBuilder& builder) {
      if (!plan.interceptor) return;
      std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
      creators.push_back(std::make_unique<faulty::InterceptorFactory>(plan.interceptor));
      builder.experimental().SetInterceptorCreators(std::move(creators));
    };
    auto started = reference::ReferenceServer::start(config, *std::move(storage), hook);
    if (!started.ok()) {
      std::cerr << "reapi-faulty-server: " << started.status().message() << "\n";
      return 1;
    }
    grpc_server = *std::move(started);
    port = grpc_server->ports().front();
    if (plan.shaping) {
      auto shaping = faulty::ShapingProxy::start(options.listen, port, *plan.shaping);
      if (!shaping.ok()) {
        std::cerr << "reapi-faulty-server: " << shaping.status().message() << "\n";
        return 1;
      }
      proxy = *std::move(shaping);
      port = proxy->port();
    }
  }
  spdlog::info("fault '{}' ({}) on port {}", fault.name, fault.description, port);
  write_port_file(options.port_file, port);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  if (plan.before_shutdown) plan.before_shutdown();
  proxy.reset();
  if (grpc_server) grpc_server->shutdown(std::chrono::seconds(2));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
