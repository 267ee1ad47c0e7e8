// UpdateActionResult then GetActionResult of a fresh action, and GetActionResult of an
// unknown one (shared/reapi/action-cache.md).

#include <map>

#include "smoke.h"

namespace smoke {
namespace {

// The parts of a result AC-02 says must survive the round trip: exit code, output files
// (compared by path, order is free) and the stdout digest.
std::string differences(const v2::ActionResult& want, const v2::ActionResult& got) {
  std::string out;
  if (want.exit_code() != got.exit_code()) {
    out += " exit_code " + std::to_string(got.exit_code()) + " instead of " +
           std::to_string(want.exit_code()) + ";";
  }
  std::map<std::string, const v2::Digest*> files;
  for (const v2::OutputFile& f : got.output_files()) files[f.path()] = &f.digest();
  for (const v2::OutputFile& f : want.output_files()) {
    const auto it = files.find(f.path());
    if (it == files.end()) {
      out += " no output file " + f.path() + ";";
    } else if (!same_digest(*it->second, f.digest())) {
      out += " " + f.path() + " has digest " + brief(*it->second) + ";";
    }
  }
  if (got.output_files_size() != want.output_files_size()) {
    out += " " + std::to_string(got.output_files_size()) + " output files;";
  }
  if (!same_digest(got.stdout_digest(), want.stdout_digest())) out += " stdout_digest differs;";
  return out;
}

void check_round_trip(Expect& expect, std::string& got, const v2::ActionResult& want,
                      const v2::ActionResult& received, std::string_view rule) {
  const std::string diff = differences(want, received);
  expect.that(diff.empty(), "the stored result (" + std::string(rule) + "):" + diff);
  got = "exit_code " + std::to_string(received.exit_code()) + ", " +
        std::to_string(received.output_files_size()) + " output files" +
        (diff.empty() ? ", equal" : ", DIFFERENT");
}

}  // namespace

void action_cache_calls(Smoke& s) {
  if (!s.facts.update_enabled) {
    s.report.skip("UpdateActionResult", "update_enabled is false");
    s.report.skip("GetActionResult of the stored result", "nothing was stored");
  } else {
    // An action unique to this run, whose command and outputs are in the CAS, so a server
    // that checks referenced blobs (AC-04) has no reason to refuse or drop the result.
    const std::string out_a = s.random.bytes(static_cast<std::size_t>(s.random.between(1, 4096)));
    const std::string out_b = s.random.bytes(static_cast<std::size_t>(s.random.between(1, 4096)));
    const std::string stdout_text = s.random.letters(200) + "\n";
    v2::Command command;
    command.add_arguments("/bin/echo");
    command.add_arguments(s.random.uuid());
    command.add_output_paths("out/a");
    command.add_output_paths("out/b");
    const std::string command_bytes = command.SerializeAsString();
    v2::Action action;
    *action.mutable_command_digest() = s.digest_proto(command_bytes);
    // The empty Directory serializes to the empty blob, which every CAS holds (COM-05).
    *action.mutable_input_root_digest() = s.digest_proto("");
    const std::string action_bytes = action.SerializeAsString();
    const v2::Digest action_digest = s.digest_proto(action_bytes);
    upload_blobs(s, "[Action, Command, 2 outputs, stdout] for UpdateActionResult",
                 {{action_digest, action_bytes},
                  {action.command_digest(), command_bytes},
                  {s.digest_proto(out_a), out_a},
                  {s.digest_proto(out_b), out_b},
                  {s.digest_proto(stdout_text), stdout_text}});

    v2::ActionResult result;
    auto* a = result.add_output_files();
    a->set_path("out/a");
    *a->mutable_digest() = s.digest_proto(out_a);
    a->set_is_executable(true);
    auto* b = result.add_output_files();
    b->set_path("out/b");
    *b->mutable_digest() = s.digest_proto(out_b);
    result.set_exit_code(static_cast<int>(s.random.between(1, 125)));
    *result.mutable_stdout_digest() = s.digest_proto(stdout_text);
    result.mutable_execution_metadata()->set_worker("reapi-smoke");

    v2::UpdateActionResultRequest update;
    update.set_instance_name(s.instance());
    *update.mutable_action_digest() = action_digest;
    *update.mutable_action_result() = result;
    update.set_digest_function(s.function_proto());
    v2::ActionResult updated;
    {
      grpc::ClientContext context;
      s.target.prepare(context);
      const grpc::Status status = s.action_cache->UpdateActionResult(&context, update, &updated);
      Expect expect;
      expect.code(status, grpc::StatusCode::OK);
      std::string got;
      if (status.ok()) check_round_trip(expect, got, result, updated, "AC-02");
      s.report.call("UpdateActionResult",
                    "action " + brief(action_digest) + ", exit_code " +
                        std::to_string(result.exit_code()) + ", 2 output files, stdout",
                    status, got, expect);
    }

    v2::GetActionResultRequest get;
    get.set_instance_name(s.instance());
    *get.mutable_action_digest() = action_digest;
    get.set_digest_function(s.function_proto());
    v2::ActionResult fetched;
    grpc::ClientContext context;
    s.target.prepare(context);
    const grpc::Status status = s.action_cache->GetActionResult(&context, get, &fetched);
    Expect expect;
    expect.code(status, grpc::StatusCode::OK);
    std::string got;
    if (status.ok()) check_round_trip(expect, got, result, fetched, "AC-02");
    s.report.call("GetActionResult", "action " + brief(action_digest) + " (just stored)", status,
                  got, expect);
  }

  // No result was ever stored under the digest of random bytes.
  v2::GetActionResultRequest unknown;
  unknown.set_instance_name(s.instance());
  *unknown.mutable_action_digest() = s.digest_proto(s.random.bytes(140));
  unknown.set_digest_function(s.function_proto());
  v2::ActionResult ignored;
  grpc::ClientContext context;
  s.target.prepare(context);
  const grpc::Status status = s.action_cache->GetActionResult(&context, unknown, &ignored);
  Expect expect;
  expect.code(status, grpc::StatusCode::NOT_FOUND);
  s.report.call("GetActionResult", "action " + brief(unknown.action_digest()) + " (unknown, AC-01)",
                status, "", expect);
}

}  // namespace smoke
