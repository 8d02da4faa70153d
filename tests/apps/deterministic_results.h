// A results file without its measured_* fields (real time on the machine
// that ran), so two runs of the same sweep can be compared byte for byte.
#pragma once

#include "results.pb.h"

namespace collabsim::apps {

inline void ClearMeasured(results::ResultsFile* file) {
  for (auto& run : *file->mutable_runs()) {
    run.clear_measured_cpu_s();
    run.clear_measured_local_apply_us_mean();
    run.clear_measured_local_apply_us_p99();
    run.clear_measured_max_receive_ms();
    run.clear_measured_max_receive_replica();
  }
}

}  // namespace collabsim::apps
