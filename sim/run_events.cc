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
  return kind < std::size(kNames) ? kNames[kind] : absl::StrFormat("event %d", kind);
}

namespace {

struct Ends {
  StepKind kind;
  StepEnds operator()(const events::UserAction& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::Deliver& e) const { return {kind, e.from, e.to}; }
  StepEnds operator()(const events::PresenceDeliver& e) const { return {kind, e.from, e.to}; }
  StepEnds operator()(const events::PresenceTimer& e) const { return {kind, e.node}; }
  StepEnds operator()(const events::PresenceFlood& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::Drop& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::Reconnect& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::OfflineStart& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::OfflineEnd& e) const { return {kind, e.user}; }
  StepEnds operator()(const events::ClientRestart& e) const { return {kind, e.user}; }
  // The rest concern no node in particular.
  template <typename Other>
  StepEnds operator()(const Other&) const { return {kind}; }
};

}  // namespace

StepEnds EndsOf(const RunEvent& event) {
  return std::visit(Ends{static_cast<StepKind>(event.index())}, event);
}

}  // namespace collabsim::sim
