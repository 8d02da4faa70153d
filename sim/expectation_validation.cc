// See expectation_validation.h.
#include "sim/expectation_validation.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engines/common/probes.h"
#include "engines/registry.h"
#include "google/protobuf/descriptor.h"

namespace collabsim::sim {

absl::Status ValidateExpectations(const FieldPlace& scenario, const scenario::Scenario& s) {
  for (int k = 0; k < s.expect_size(); ++k) {
    const scenario::Expectation& block = s.expect(k);
    const FieldPlace place = scenario.Nested("expect", k);
    std::set<std::string> named;
    for (int e = 0; e < block.engines_size(); ++e) {
      if (absl::StatusOr<const Engine*> engine = FindEngine(block.engines(e)); !engine.ok()) {
        return place.Error("engines", std::string(engine.status().message()), e);
      }
      if (!named.insert(block.engines(e)).second) {
        return place.Error("engines", absl::StrFormat("names engine '%s' twice", block.engines(e)), e);
      }
    }
    bool any = false;
    const google::protobuf::Reflection* reflection = block.GetReflection();
    const google::protobuf::Descriptor* type = block.GetDescriptor();
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = type->field(i);
      if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE || !reflection->HasField(block, field)) {
        continue;
      }
      any = true;
      const double bound = reflection->GetDouble(block, field);
      if (!std::isfinite(bound) || bound < 0) return place.Error(field->name(), "must be a finite number >= 0");
      if (field->name() == "loss_rate" && bound > 1) return place.Error(field->name(), "is a share: must be in [0, 1]");
      const bool presence_figure =
          absl::StartsWith(field->name(), "cursor_") || absl::StartsWith(field->name(), "presence_");
      if (presence_figure && !s.has_presence()) {
        return place.Error(field->name(), "needs a `presence { ... }` block: without one the run measures no cursors");
      }
    }
    for (int p = 0; p < block.min_probes_size(); ++p) {
      const scenario::ProbeMinimum& minimum = block.min_probes(p);
      const FieldPlace probe = place.Nested("min_probes", p);
      if (std::find(probes::kAll.begin(), probes::kAll.end(), minimum.probe()) == probes::kAll.end()) {
        const std::vector<std::string> known(probes::kAll.begin(), probes::kAll.end());
        return probe.Error("probe", absl::StrFormat("unknown probe \"%s\" (known: %s)", minimum.probe(),
                                                    absl::StrJoin(known, ", ")));
      }
      if (minimum.count() == 0) return probe.Error("count", "must be at least 1");
      any = true;
    }
    if (!any) return scenario.Error("expect", "sets no bound (edit_p99_ms, converge_s, min_probes, ...)", k);
  }
  return absl::OkStatus();
}

}  // namespace collabsim::sim
