// Names and self-check fields of the run's events.
#include "sim/run_events.h"

#include "absl/strings/str_format.h"

namespace collabsim::sim {

std::string StepKindName(uint32_t kind) {
  static constexpr const char* kNames[] = {
      "user action", "delivery", "connection drop", "reconnect attempt", "offline start", "offline end", "heal",
      "memory sample", "reconnect storm", "partition start", "partition detected", "partition end", "server crash",
      "server restart", "client crash", "client restart", "presence timer", "presence delivery", "presence flood"};
  static_assert(std::size(kNames) == static_cast<size_t>(StepKind::kLast) + 1);
  if (kind < std::size(kNames)) return kNames[kind];
  // Faults added later number their own kinds (Fault::OwnStepKind).
  return kind >= 1000 ? absl::StrFormat("fault event %d", kind) : absl::StrFormat("event %d", kind);
}

namespace {

struct Ends {
  StepEnds operator()(const events::UserAction& e) const { return {StepKind::kUserAction, e.user}; }
  StepEnds operator()(const events::Deliver& e) const { return {StepKind::kDeliver, e.from, e.to}; }
  StepEnds operator()(const events::Reconnect& e) const { return {StepKind::kReconnect, e.user}; }
  StepEnds operator()(const events::Heal&) const { return {StepKind::kHeal}; }
  StepEnds operator()(const events::SampleMemory&) const { return {StepKind::kSampleMemory}; }
  StepEnds operator()(const events::PresenceTimer& e) const { return {StepKind::kPresenceTimer, e.node}; }
  StepEnds operator()(const events::PresenceDeliver& e) const { return {StepKind::kPresenceDeliver, e.from, e.to}; }
  StepEnds operator()(const events::PresenceFlood& e) const { return {StepKind::kPresenceFlood, e.user}; }
  StepEnds operator()(const events::FaultTimer& e) const { return {e.kind, e.node}; }
};

}  // namespace

StepEnds EndsOf(const RunEvent& event) {
  return std::visit(Ends{}, event);
}

}  // namespace collabsim::sim
