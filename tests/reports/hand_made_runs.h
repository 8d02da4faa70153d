// Hand-made results for the report tests: one scenario "s", a few figures
// set per run, so a test states exactly what each engine measured.
#pragma once

#include <string>
#include <vector>

#include "results.pb.h"

namespace collabsim::reports {

struct HandMadeRun {
  std::string engine;
  uint64_t seed = 1;
  double p99_ms = 100;  // both the overall and the steady-state p99
  double loss_rate = 0;
  uint64_t server_peak = 100 * 1024;
  bool failed = false;
  uint64_t wire_bytes = 1000;  // over 10 edits
  bool reference = false;      // the ideal's run
};

inline results::ResultsFile HandMadeFile(const std::vector<HandMadeRun>& runs) {
  results::ResultsFile file;
  for (const HandMadeRun& r : runs) {
    results::RunResult* run = file.add_runs();
    run->set_scenario("s");
    run->set_engine(r.engine);
    run->set_seed(r.seed);
    run->set_edit_intents(10);
    run->set_wire_bytes(r.wire_bytes);
    run->set_reference(r.reference);
    run->mutable_remote_visible()->set_p99_ms(r.p99_ms);
    run->mutable_steady_remote_visible()->set_samples(20);
    run->mutable_steady_remote_visible()->set_p99_ms(r.p99_ms);
    run->mutable_oracle()->set_tokens_inserted(50);
    run->mutable_oracle()->set_loss_rate(r.loss_rate);
    run->mutable_memory()->set_server_bytes_peak(r.server_peak);
    run->mutable_memory()->set_client_bytes_peak(2048);
    if (r.failed) run->add_violations()->set_invariant("convergence");
  }
  return file;
}

}  // namespace collabsim::reports
