// A fault: something that goes wrong in a run on purpose (a dropped
// connection, an offline week, a partition, a crash). Each fault lives in
// its own file under sim/faults/ and is listed once in fault_registry.cc;
// the run loop knows faults only through this interface.
//
// A fault has two sides. In a run it plans its events from the scenario at
// the start (all randomness from FaultHost::fault_prng(), in event order),
// handles them when they are due, and acts on the run only through
// FaultHost. On the scenario it says whether the scenario uses it, what
// parts `shrink` may take out and how its times move, and what `--swarm`
// may switch on.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engines/common/engine.h"
#include "engines/common/intent.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "results.pb.h"
#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/run_events.h"
#include "sim/scenario_fields.h"
#include "sim/scenario_loader.h"
#include "sim/sim_time.h"
#include "sim/trace_hash.h"
#include "sim/transport.h"
#include "sim/trace_tags.h"
#include "sim/user_state.h"

namespace collabsim::sim {

// What a fault may see of a run and do to it. The World implements it.
class FaultHost {
 public:
  virtual ~FaultHost() = default;

  virtual const scenario::Scenario& scenario() const = 0;
  virtual uint32_t user_count() const = 0;
  virtual SimTime now() const = 0;
  virtual SimTime start_time() const = 0;  // when the active phase began
  virtual SimTime heal_time() const = 0;   // when faults and editing stop
  virtual bool healed() const = 0;
  // The run's fault stream: every fault draws from it, in event order.
  virtual Prng& fault_prng() = 0;
  virtual TraceHash& trace() = 0;
  virtual results::RunResult& result() = 0;
  // One history line (when a history is being written: check recording()).
  virtual bool recording() const = 0;
  virtual void Note(ReplicaId node, std::string_view what) = 0;
  virtual void AddViolation(const std::string& invariant, const std::string& detail) = 0;

  // Plans one of the calling fault's events (events::FaultTimer).
  virtual void Schedule(SimTime at, events::FaultTimer timer) = 0;

  virtual UserState& User(ReplicaId user) = 0;
  virtual Transport& transport() = 0;
  // The user's connection goes down (the engine and presence hear of it).
  virtual void DisconnectUser(ReplicaId user) = 0;
  // An edge's connection goes down: a mesh link, or in a star the user's
  // connection to the server.
  virtual void DropEdge(ReplicaId a, ReplicaId b) = 0;
  // Mesh: connects two online neighbours unless a partition separates them.
  virtual void TryLink(ReplicaId a, ReplicaId b) = 0;
  // Plans reconnect attempt `attempt` at `at` unless one is already planned.
  virtual void ScheduleReconnect(ReplicaId user, SimTime at, uint64_t attempt) = 0;
  // The client's jittered exponential backoff before attempt `attempt`.
  virtual SimTime BackoffDelay(uint64_t attempt) = 0;
  // The server's process dies and is rebuilt from its durable state (the
  // durability check runs here); clients reconnect with backoff.
  virtual void CrashServer(size_t index) = 0;
  virtual void RestartServer() = 0;
  // The user's app dies, keeping its local storage or nothing.
  virtual void CrashClient(ReplicaId user, bool local_storage) = 0;
  virtual void RestartClient(ReplicaId user) = 0;
  // Where `drops` windows go when the caller asked for them (RunOptions::drops).
  virtual std::vector<scenario::OfflineWindow>* drop_windows() = 0;
};

// Visits a fault's times in a scenario, so `shrink` can find, move and
// round them without knowing the fault.
struct TimeVisitor {
  std::function<void(double&)> at;        // a moment of the active phase, in seconds
  std::function<void(double&)> duration;  // how long something lasts, in seconds
};

class Fault {
 public:
  virtual ~Fault() = default;

  // --- The scenario side.
  // Whether `scenario` uses this fault.
  virtual bool InScenario(const scenario::Scenario& scenario) const = 0;
  // Checks this fault's part of `s` at load time, whether or not `s` uses
  // it (a negative rate is an error, not "off"); `root` is the scenario's
  // place in its file, for errors that name the line.
  virtual absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const { return absl::OkStatus(); }
  // The scenario field to blame when `s` uses this fault without a
  // `reconnect_backoff`, if the fault needs one (it makes many users
  // reconnect at once); null if it does not.
  virtual const char* NeedsBackoff(const scenario::Scenario& s) const { return nullptr; }
  // Why `s` (which uses this fault) means nothing for an engine of
  // `topology`, or nothing when it does (a server crash, for a mesh).
  virtual std::optional<std::string> NotApplicable(const scenario::Scenario& s, Topology topology) const {
    return std::nullopt;
  }
  // How many parts `shrink` may take out one by one: a list's entries, or 1
  // for a setting that is on.
  virtual int PartCount(const scenario::Scenario& scenario) const = 0;
  // `out` (a copy of `from`) keeps only this fault's parts in `kept` (ascending).
  virtual void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept,
                         scenario::Scenario* out) const = 0;
  // Users are taken out and renumbered: `renumber[old]` is the new number,
  // 0 for gone. Entries naming only gone users go.
  virtual void RenumberUsers(const std::vector<uint32_t>& renumber, scenario::Scenario* s) const {}
  virtual void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const {}
  // `--swarm`: may switch this fault on in `s`, drawing only from `prng`,
  // and names what it drew in `on`. Draws happen in registry order, so a
  // fault draws the same whatever comes after it.
  virtual void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const {}

  // --- The run side.

  // Appends this fault's part of the setup line (" storm=50%@30s").
  virtual void Describe(const scenario::Scenario& scenario, std::string* line) const {}
  // The run starts (after every user connected): plan events.
  virtual void Start(FaultHost& host) {}
  // A user who edits starts its session (connected at the start).
  virtual void EditorStarted(FaultHost& host, ReplicaId user) {}
  // A reconnect attempt reaches the server: whether this fault lets it in
  // now (an accept limit may not).
  virtual bool Admits(FaultHost& host) { return true; }
  // A reconnect attempt succeeded.
  virtual void Reconnected(FaultHost& host, ReplicaId user) {}
  // Until when the server processes nothing (a stall); what reaches it
  // before then waits at its door, in order. At or before now: it works.
  virtual SimTime ServerBusyUntil(const FaultHost& host) const { return 0; }
  // How many extra copies of an engine message just sent from `from` to
  // `to` its connection delivers after it (a retrying proxy).
  virtual int ExtraCopies(FaultHost& host, ReplicaId from, ReplicaId to) { return 0; }
  // One of this fault's timers is due.
  virtual void Handle(FaultHost& host, const events::FaultTimer& timer) {}

  // The run numbers its faults in order; timers carry the number back.
  void set_slot(size_t slot) { slot_ = slot; }
  // The fault's place in the registry (append only).
  void set_registry_index(size_t index) { registry_index_ = index; }

 protected:
  events::FaultTimer Timer(StepKind kind, ReplicaId node = 0, uint64_t arg = 0) const {
    return events::FaultTimer{slot_, kind, node, arg};
  }
  // A step kind and a trace-hash tag of this fault's own (n < 16), for
  // faults after the first ones (which keep the numbers in run_events.h and
  // trace_tags.h): derived from the registry's order, which is append only,
  // so a new fault needs no number written anywhere else.
  StepKind OwnStepKind(int n = 0) const { return static_cast<StepKind>(1000 + 16 * registry_index_ + n); }
  uint64_t OwnTraceTag(int n = 0) const { return 0x1000 + 16 * registry_index_ + static_cast<uint64_t>(n); }

 private:
  size_t slot_ = 0;
  size_t registry_index_ = 0;
};

// One fresh instance of every fault, in the registry's order (fault_registry.cc).
std::vector<std::unique_ptr<Fault>> AllFaults();
// The faults `scenario` uses, fresh, in the registry's order, numbered.
std::vector<std::unique_ptr<Fault>> MakeFaults(const scenario::Scenario& scenario);

// Keeps the entries of `from` at `kept` (ascending) in `out`.
template <typename Entry>
void KeepEntries(const google::protobuf::RepeatedPtrField<Entry>& from, const std::vector<int>& kept,
                 google::protobuf::RepeatedPtrField<Entry>* out) {
  out->Clear();
  for (int k : kept) *out->Add() = from.Get(k);
}

// Visits a moment and a length of one entry, then stores them back.
inline void VisitSpan(const TimeVisitor& visit, double at, double length,
                      const std::function<void(double at, double length)>& store) {
  visit.at(at);
  visit.duration(length);
  store(at, length);
}

// Entries that name one `user`: those of gone users go, the rest renumber.
template <typename Entry>
void RenumberEntries(const std::vector<uint32_t>& renumber, google::protobuf::RepeatedPtrField<Entry>* entries) {
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [&](const Entry& entry) { return renumber[entry.user()] == 0; }),
                 entries->end());
  for (Entry& entry : *entries) entry.set_user(renumber[entry.user()]);
}

// Gives `s` the default jittered exponential backoff unless it has one
// (faults that make many users reconnect at once need it).
void EnsureBackoff(scenario::Scenario* s);

}  // namespace collabsim::sim
