// One simulated run: an engine's server and clients, the network between
// them, synthetic users, faults, and the checks at the end.
//
// Phases: active (users edit; drops and offline windows happen), heal (at
// kSimStart + active_s every user comes back online and editing stops), then
// run until no message is in flight (quiet) or the liveness bound passes.
// Then convergence and the intent oracle are checked.
//
// Determinism contract: everything is a function of (scenario, engine, seed).
// Randomness comes only from Prng streams derived from the seed, events are
// ordered by (time, sequence), and only ordered containers are iterated.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engines/common/engine.h"
#include "results.pb.h"
#include "scenario.pb.h"
#include "sim/event_queue.h"
#include "sim/faults/fault.h"
#include "sim/memory_sample.h"
#include "sim/node_clock.h"
#include "sim/run_events.h"
#include "sim/run_record.h"
#include "sim/scenario_parameters.h"
#include "sim/step_check.h"
#include "sim/trace_hash.h"
#include "sim/transport.h"
#include "sim/user_model.h"
#include "sim/user_state.h"
#include "engines/presence/presence_node.h"
#include "engines/presence/presence_options.h"

namespace collabsim::sim {

struct RunOptions {
  // Call every touched replica's CheckInvariants() after each step and check
  // OT laws on every transform. On by default in debug and sanitizer builds.
#ifdef NDEBUG
  bool check_invariants = false;
#else
  bool check_invariants = true;
#endif
  // Bound on processed events; exceeding it is reported as a violation.
  uint64_t max_events = 2'000'000'000;
  // A CPU clock (nanoseconds) supplied by the caller to time ApplyLocal
  // calls. The simulator never reads a clock itself; measurements go only to
  // measured_* fields, never into the trace hash or any decision.
  std::function<int64_t()> measure_cpu_ns;
  // A cheap steady clock (nanoseconds) to time each receive, for the
  // longest one (measured_max_receive_ms). Receives are most of a run's
  // steps and a thread CPU clock is a system call on Linux, so this one is
  // the monotonic clock: a step takes microseconds, rarely long enough to be
  // preempted, and a long one (a three-week catch-up) is long either way.
  std::function<int64_t()> measure_step_ns;
  // Fail a run that misses a required probe. Swarm runs turn this off: a
  // seed may switch off what one run needed, so coverage is judged over the
  // whole sweep instead (the run still reports its probe counts).
  bool require_probes_per_run = true;
  // Determinism self-check. Each step's digest is the trace hash after it,
  // folded with the step's simulated time, kind and nodes. A run given
  // `record_steps` appends every digest there; a run of the same case given
  // `expect_steps` compares its own with them and, at the first that
  // differs (or if it takes more or fewer steps), reports a "determinism"
  // violation naming that step and stops.
  std::vector<StepRecord>* record_steps = nullptr;
  const std::vector<StepRecord>* expect_steps = nullptr;
  // When set, a readable history goes here: one line per event (simulated
  // time, node, what happened: intents, messages sent, delivered and lost,
  // faults), then the violations. Writing it changes nothing else.
  std::ostream* history = nullptr;
  // When set, every user action that yields an intent is appended here as a
  // scenario `script` entry, so the run's workload can be replayed without
  // synthetic typing (as `collabsim shrink` does). Changes nothing else.
  std::vector<scenario::ScriptedAction>* script = nullptr;
  // When set, every random connection drop (`drops`) is appended here as
  // the offline window it amounts to: from the drop to the planned reconnect.
  std::vector<scenario::OfflineWindow>* drops = nullptr;
};


class World final : private FaultHost {
 public:
  // REQUIRES: `scenario` passed validation.
  World(const scenario::Scenario& scenario, const Engine& engine, uint64_t seed, RunOptions options = {});
  ~World();

  // Runs to the end and returns the results (without measured CPU time or
  // the reproduce command, which the caller knows).
  results::RunResult Run();

  // One line with the seed and every option that shapes the run.
  std::string SetupLine() const;

 private:
  // FaultHost: what the faults (sim/faults/) see of the run and do to it.
  const scenario::Scenario& scenario() const override { return scenario_; }
  uint32_t user_count() const override { return user_count_; }
  SimTime now() const override { return queue_.now(); }
  SimTime start_time() const override { return start_time_; }
  SimTime heal_time() const override { return heal_time_; }
  bool healed() const override { return healed_; }
  Prng& fault_prng() override { return fault_prng_; }
  TraceHash& trace() override { return trace_; }
  results::RunResult& result() override { return result_; }
  void Schedule(SimTime at, events::FaultTimer timer) override { queue_.Schedule(at, timer); }
  UserState& User(ReplicaId user) override { return users_[user - 1]; }
  Transport& transport() override { return transport_; }
  void DisconnectUser(ReplicaId user) override;
  void DropEdge(ReplicaId a, ReplicaId b) override;
  void TryLink(ReplicaId a, ReplicaId b) override;
  void ScheduleReconnect(ReplicaId user, SimTime at, uint64_t attempt) override;
  SimTime BackoffDelay(uint64_t attempt) override;
  // The server dies: connections drop, and its replacement is rebuilt from
  // its durable state, which must hold every intent it had acknowledged.
  void CrashServer(size_t index) override;
  void RestartServer() override;
  // The user's app dies: its replica is replaced by one restored from its
  // local storage, or by a fresh one (the OT client keeps nothing locally),
  // and then intents the server never got are forgotten by the oracle as
  // lost by the crash.
  void CrashClient(ReplicaId user, bool local_storage) override;
  void RestartClient(ReplicaId user) override;
  std::vector<scenario::OfflineWindow>* drop_windows() override { return options_.drops; }

  void Start();
  void Handle(RunEvent& event);
  // Whether `event` needs the server while a fault stalls it; if so it is
  // planned again for when the server works.
  bool HeldByServer(RunEvent& event);
  // The end of the last server stall begun so far (0: none): what reaches
  // the server before then waits.
  SimTime ServerBusyUntil() const;
  // The determinism self-check for step `index` (1-based), just handled;
  // false once it found a difference.
  bool CheckStep(uint64_t index, SimTime time, const StepEnds& ends);
  // One history line (only when RunOptions::history is set; callers check
  // recording() first so nothing is formatted otherwise).
  bool recording() const override { return options_.history != nullptr; }
  void Note(ReplicaId node, std::string_view what) override;
  // "server" or "user N", as history lines name nodes.
  static std::string NodeName(ReplicaId id);
  void OnUserAction(ReplicaId user);
  void OnDeliver(events::Deliver& event);
  // A reconnect attempt; the server may refuse it (accept limit).
  void OnReconnect(ReplicaId user, uint64_t attempt);
  void DropLink(ReplicaId a, ReplicaId b);
  // Both ends (users) of a link that just came up or went down leave the
  // steady state until their next intent.
  void MarkLinksChanged(ReplicaId a, ReplicaId b);
  // Sends one message `from` queued, on its edge to message.to.
  void Send(ReplicaId from, OutgoingMessage& message);
  void OnHeal();
  // Records memory by category now (not part of the trace hash: observing
  // changes nothing).
  void SampleMemory();
  void ConnectUser(ReplicaId user);
  // Sends what `replica` queued and records what became visible there.
  void Flush(Replica& replica);
  void AfterStep(Replica& replica);
  void AddViolation(const std::string& invariant, const std::string& detail) override;
  // Presence (world_presence.cc): a channel beside the edits on the same
  // connections, shared by every engine with a caret facet; the run hosts
  // its participants (engines/presence/).
  void StartPresence();
  // The participant at `node` (the server's room, or a user's side).
  PresenceNode& PresenceOf(ReplicaId node);
  CaretAccess CaretsOf(ReplicaId node);
  // After a step at user's client: publish its caret if it moved.
  void PublishPresence(ReplicaId user);
  // Plans node's presence timer for `due` unless one is planned earlier.
  void ArmPresenceTimer(ReplicaId node, std::optional<int64_t> due);
  void OnPresenceTimer(ReplicaId node, SimTime armed_for);
  void OnPresenceFlood(ReplicaId user);
  // Carries out what a participant's call did: its errors, the cursors it
  // showed (timed by `arrived`, the stamps of the message it got), what it
  // sent (stamped with when each cursor in it was made).
  void HostPresence(ReplicaId node, PresenceOutput out, const PresenceStamps& arrived);
  // The stamp of the user's own entry it just sent, if that is a new caret.
  PresenceStamps OwnStamps(ReplicaId user, const PresenceEntry& sent);
  void SendPresence(ReplicaId from, ReplicaId to, std::string bytes, PresenceStamps stamps);
  void OnPresenceDeliver(events::PresenceDeliver& event);
  void PresenceOnline(ReplicaId user);
  void PresenceOffline(ReplicaId user);
  // The server's memory of who is here died with it.
  void PresenceServerCrash();
  // The user's app died: what it knew of the others is gone.
  void PresenceClientCrash(ReplicaId user);
  // The link between a and b (the server, or two peers) came up or went down.
  void PresenceLinkUp(ReplicaId a, ReplicaId b);
  void PresenceLinkDown(ReplicaId a, ReplicaId b);
  // Whether a cursor change still waits to be sent (quiet waits for it).
  bool PresencePending() const;
  const UserState& User(ReplicaId user) const { return users_[user - 1]; }
  Replica& ClientOf(ReplicaId user) { return *User(user).replica; }
  // The server's replica, or a user's.
  Replica& NodeOf(ReplicaId node) { return node == kServerReplica ? *server_ : ClientOf(node); }
  const Replica& ClientOf(ReplicaId user) const { return *User(user).replica; }
  // Sets `replica`'s clock reading for now; returns it, for the call.
  Replica& Clocked(Replica& replica);

  scenario::Scenario scenario_;
  const Engine& engine_;
  uint64_t seed_;
  RunOptions options_;
  EngineOptions engine_options_;  // every replica, including restarted ones
  uint32_t user_count_;

  std::unique_ptr<Replica> server_;  // null without one (a mesh)
  std::vector<UserState> users_;     // by user id - 1
  uint64_t reconnects_planned_ = 0;
  bool server_down_ = false;
  // Intents the server applied (and so acknowledged), for the durability check.
  std::vector<IntentId> server_applied_;
  Transport transport_;
  Prng fault_prng_;
  std::vector<NodeClock> clocks_;  // by replica id (0 = server)
  std::vector<std::unique_ptr<Fault>> faults_;  // in registry order; timers name them by slot
  EventQueue<RunEvent> queue_;
  TraceHash trace_;
  bool healed_ = false;
  SimTime start_time_ = 0;
  SimTime heal_time_ = 0;
  SimTime last_event_time_ = 0;
  uint64_t messages_in_flight_ = 0;
  SimTime sample_interval_ = kSecond;

  // Presence state (world_presence.cc).
  bool presence_ = false;
  PresenceOptions presence_options_;
  std::unique_ptr<PresenceNode> server_presence_;  // through a server
  // Mesh: when each owner made the caret its entry version carries. (This
  // map and the next are looked up and never walked: hash maps, whose
  // order decides nothing.)
  absl::flat_hash_map<std::pair<ReplicaId, uint64_t>, SimTime> version_times_;
  // Users whose caret the server took a new position for since the last
  // batches, with when the owner made it.
  absl::flat_hash_map<ReplicaId, SimTime> moved_at_;
  std::vector<SimTime> presence_timer_at_;  // by node; -1: none planned
  SimTime flood_interval_ = 0;
  uint64_t flood_sent_ = 0;
  RunRecord record_;  // what the judge reads at the end
  results::RunResult result_;
};

}  // namespace collabsim::sim
