// reapi-smoke: exercises every RPC of a REAPI storage server (Capabilities, CAS, ByteStream,
// ActionCache) once or a few times, with data unique to this run, and prints one line per
// call and a final "N passed, M failed". Exit status 0 only when every outcome was as expected.

#include <CLI/CLI.hpp>
#include <iostream>

#include "smoke.h"

int main(int argc, char** argv) {
  CLI::App app{
      "reapi-smoke: calls every REAPI storage RPC once against a server and checks the "
      "answers (a quick check, not the conformance suite)"};
  reapi::TargetOptions options;
  reapi::add_target_options(app, options);
  CLI11_PARSE(app, argc, argv);

  auto target = reapi::Target::connect(options);
  if (!target.ok()) {
    std::cerr << "reapi-smoke: " << target.status().message() << std::endl;
    return 2;
  }
  smoke::Smoke s(*std::move(target));
  std::cout << "reapi-smoke: target " << s.target.address() << ", instance '" << s.instance() << "'"
            << std::endl;

  // An unreachable server would fail every call the same way; one line says it.
  if (!smoke::capabilities_calls(s)) {
    s.report.summary();
    return 1;
  }
  smoke::cas_calls(s);
  smoke::get_tree_calls(s);
  smoke::bytestream_calls(s);
  smoke::compressed_calls(s);
  smoke::split_splice_calls(s);
  smoke::action_cache_calls(s);

  s.report.summary();
  return s.report.failed() == 0 ? 0 : 1;
}
