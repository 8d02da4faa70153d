// Duplicate delivery (scenario `duplicates`): a retrying proxy on the path
// delivers some engine messages twice. The copy follows the original on
// the same connection (it keeps the stream's order), so an engine must
// recognise what it already has: a resent submit, a repeated broadcast.
#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class Duplicates final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return s.duplicates().fraction() > 0; }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    if (!s.has_duplicates()) return absl::OkStatus();
    const double fraction = s.duplicates().fraction();
    if (!(fraction >= 0 && fraction <= 1)) {
      return root.Nested("duplicates")
          .Error("fraction", "must be in [0, 1] (a fraction of messages, not a percentage)");
    }
    return absl::OkStatus();
  }
  int PartCount(const scenario::Scenario& s) const override { return InScenario(s) ? 1 : 0; }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    out->clear_duplicates();
    if (!kept.empty()) *out->mutable_duplicates() = from.duplicates();
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (!prng.Bernoulli(0.3) || InScenario(*s)) return;
    s->mutable_duplicates()->set_fraction(SampleUniform(prng, 0.01, 0.2));
    on->push_back(absl::StrFormat("duplicates(%.0f%%)", 100 * s->duplicates().fraction()));
  }
  void Describe(const scenario::Scenario& s, std::string* line) const override {
    absl::StrAppendFormat(line, " duplicates=%g%%", 100 * s.duplicates().fraction());
  }

  int ExtraCopies(FaultHost& host, ReplicaId from, ReplicaId to) override {
    if (!host.fault_prng().Bernoulli(host.scenario().duplicates().fraction())) return 0;
    host.trace().Add(OwnTraceTag());
    host.trace().Add((uint64_t{from} << 32) | to);
    host.result().set_messages_duplicated(host.result().messages_duplicated() + 1);
    return 1;
  }
};

}  // namespace

std::unique_ptr<Fault> MakeDuplicates() { return std::make_unique<Duplicates>(); }

}  // namespace collabsim::sim
