// The run loop: start, handle events in (time, sequence) order, heal, wait
// for quiet, then check and summarise.
#include "sim/world.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "sim/designer_user.h"
#include "sim/judge.h"
#include "sim/memory_sampler.h"
#include "sim/random_partitions.h"
#include "sim/scenario_limits.h"
#include "sim/scripted_user.h"
#include "sim/synthetic_user.h"
#include "sim/trace_tags.h"
#include "sim/websocket_framing.h"

namespace collabsim::sim {
namespace {

// Stream ids for Prng::ForStream; links use 0x1000 + k (network.cc).
constexpr uint64_t kFaultStream = 1;
constexpr uint64_t kUserStreamBase = 0x100000;

std::vector<Network::LinkModel> LinksOf(const scenario::Scenario& scenario) {
  std::vector<Network::LinkModel> links;
  for (const auto& group : scenario.groups()) {
    for (uint32_t k = 0; k < group.count(); ++k) {
      links.push_back(Network::LinkModel{DelayModel(group.link().latency()), group.link().bandwidth_kbps()});
    }
  }
  return links;
}

scenario::Scenario WithRandomPartitions(scenario::Scenario scenario, uint64_t seed) {
  ExpandRandomPartitions(seed, &scenario);
  return scenario;
}

}  // namespace

World::World(const scenario::Scenario& scenario, const Engine& engine, uint64_t seed, RunOptions options)
    : scenario_(WithRandomPartitions(scenario, seed)),
      engine_(engine),
      seed_(seed),
      options_(options),
      engine_options_{options.check_invariants},
      user_count_(UserCount(scenario)),
      transport_(engine.traits().topology != Topology::kMesh, LinksOf(scenario), seed),
      fault_prng_(Prng::ForStream(seed, kFaultStream)),
      clocks_(DrawClocks(scenario_, seed, user_count_)) {
  COLLABSIM_CHECK(user_count_ >= 1);
  if (transport_.via_server()) server_ = engine_.CreateServer(engine_options_);
  users_.resize(user_count_);
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    UserState& state = User(user);
    state.id = user;
    state.replica = engine_.CreateClient(user, engine_options_);
    if (scenario_.has_design()) {
      state.workload =
          std::make_unique<DesignerUser>(user, scenario_.design(), Prng::ForStream(seed, kUserStreamBase + user));
    } else if (scenario_.script().empty()) {
      state.workload =
          std::make_unique<SyntheticUser>(user, scenario_.typing(), Prng::ForStream(seed, kUserStreamBase + user));
    } else {
      state.workload = std::make_unique<ScriptedUser>(user, scenario_);
    }
    state.read_only = IsReadOnly(scenario_, user);
  }
  if (scenario_.has_clocks()) {  // without, clocks are exact and hashes stay as they were
    for (const NodeClock& clock : clocks_) {
      trace_.Add(static_cast<uint64_t>(clock.skew_ns()));
      trace_.Add(static_cast<uint64_t>(clock.drift_ppb()));
    }
  }
  faults_ = MakeFaults(scenario_);
}

World::~World() = default;

std::string World::NodeName(ReplicaId id) {
  return id == kServerReplica ? "server" : absl::StrFormat("user %d", id);
}

std::string World::SetupLine() const {
  return absl::StrFormat("seed=%d scenario=%s engine=%s %s invariants=%s", seed_, scenario_.name(),
                         engine_.traits().name, ScenarioParameters(scenario_),
                         options_.check_invariants ? "every-step" : "end");
}

void World::Start() {
  const SimTime start = queue_.now();
  start_time_ = start;
  heal_time_ = start + FromSeconds(scenario_.active_s());
  StartPresence();
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    ConnectUser(user);
    if (User(user).read_only) continue;  // a viewer never edits
    if (const std::optional<SimTime> first = User(user).workload->InitialDelay()) {
      queue_.Schedule(start + *first, events::UserAction{user});
    }
    for (const std::unique_ptr<Fault>& fault : faults_) fault->EditorStarted(*this, user);
  }
  for (const std::unique_ptr<Fault>& fault : faults_) fault->Start(*this);
  queue_.Schedule(heal_time_, events::Heal{});
  // About 120 samples over the active phase, never more often than 1/s.
  sample_interval_ = std::max<SimTime>(kSecond, FromSeconds(scenario_.active_s()) / 120);
  result_.set_memory_sample_interval_s(ToSeconds(sample_interval_));
  queue_.Schedule(start, events::SampleMemory{});
}

results::RunResult World::Run() {
  result_.set_scenario(scenario_.name());
  result_.set_engine(engine_.traits().name);
  result_.set_seed(seed_);
  if (recording()) *options_.history << "# collabsim history: " << SetupLine() << "\n#  time (s)     node      event\n";
  Start();
  const SimTime deadline = heal_time_ + FromSeconds(scenario_.converge_within_s());
  uint64_t events = 0;
  bool diverged = false;
  while (!queue_.empty()) {
    // After heal, user and fault timers do nothing; the run is quiet once no
    // message is in flight and no one is still trying to reconnect.
    if (healed_ && messages_in_flight_ == 0 && reconnects_planned_ == 0 && !PresencePending()) break;
    if (queue_.next_time() > deadline) {
      AddViolation("liveness", absl::StrFormat("%d messages in flight and %d users still reconnecting %gs after heal "
                                               "(converge_within_s)",
                                               messages_in_flight_, reconnects_planned_, scenario_.converge_within_s()));
      break;
    }
    if (events >= options_.max_events) {
      AddViolation("liveness", absl::StrFormat("stopped after %d events (max_events)", events));
      break;
    }
    auto scheduled = queue_.Pop();
    ++events;
    last_event_time_ = scheduled.time;
    const StepEnds ends = EndsOf(scheduled.event);
    Handle(scheduled.event);
    if (!CheckStep(events, scheduled.time, ends)) {
      diverged = true;
      break;
    }
  }
  if (!diverged) {
    if (std::optional<std::string> short_run = CheckRunEnd(options_.expect_steps, events)) {
      AddViolation("determinism", *short_run);
    }
  }
  result_.set_events(events);
  result_.set_trace_hash(trace_.Hex());
  SampleMemory();  // the final state, also folded into the peaks
  // The judge builds the results from the final state and the record; a
  // run stopped by the determinism self-check is reported, not judged.
  record_.heal_time = heal_time_;
  record_.last_event_time = last_event_time_;
  const FinalState state{server_.get(), &users_, presence_, server_presence_.get()};
  JudgeRun(scenario_, engine_.traits(), state, record_, JudgeOptions{!diverged, options_.require_probes_per_run},
           [this](const std::string& invariant, const std::string& detail) { AddViolation(invariant, detail); },
           &result_);
  return result_;
}

bool World::CheckStep(uint64_t index, SimTime time, const StepEnds& ends) {
  std::optional<std::string> differs =
      CheckRunStep(options_.record_steps, options_.expect_steps, index, time, ends, trace_.value());
  if (differs.has_value()) AddViolation("determinism", *differs);
  return !differs.has_value();
}

namespace {
// std::visit with one lambda per alternative.
template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
// Spelled out for compilers without aggregate deduction (clang 14, which
// builds the fuzz targets).
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;
}  // namespace

SimTime World::ServerBusyUntil() const {
  SimTime busy_until = 0;
  for (const std::unique_ptr<Fault>& fault : faults_) busy_until = std::max(busy_until, fault->ServerBusyUntil(*this));
  return busy_until;
}

bool World::HeldByServer(RunEvent& event) {
  const bool for_server = std::visit(
      Overloaded{
          [](const events::Deliver& e) { return e.to == kServerReplica; },
          [](const events::PresenceDeliver& e) { return e.to == kServerReplica; },
          [](const events::PresenceTimer& e) { return e.node == kServerReplica; },
          [&](const events::Reconnect&) { return transport_.via_server(); },
          [](const auto&) { return false; },
      },
      event);
  if (!for_server) return false;
  const SimTime busy_until = ServerBusyUntil();
  if (busy_until <= queue_.now()) return false;
  // Waits at the server's door; events held this way keep their order.
  queue_.Schedule(busy_until, std::move(event));
  return true;
}

void World::Handle(RunEvent& event) {
  if (HeldByServer(event)) return;
  std::visit(Overloaded{
                 [&](events::UserAction& e) { OnUserAction(e.user); },
                 [&](events::Deliver& e) { OnDeliver(e); },
                 [&](events::Reconnect& e) { OnReconnect(e.user, e.attempt); },
                 [&](events::FaultTimer& e) { faults_[e.slot]->Handle(*this, e); },
                 [&](events::Heal&) { OnHeal(); },
                 [&](events::PresenceTimer& e) { OnPresenceTimer(e.node, e.armed_for); },
                 [&](events::PresenceDeliver& e) { OnPresenceDeliver(e); },
                 [&](events::PresenceFlood& e) { OnPresenceFlood(e.user); },
                 [&](events::SampleMemory&) {
                   SampleMemory();
                   if (!healed_) queue_.Schedule(queue_.now() + sample_interval_, events::SampleMemory{});
                 },
             },
             event);
}

void World::OnUserAction(ReplicaId user) {
  if (healed_) return;  // editing stops at heal
  if (User(user).crashed) {  // the app is down: look again in a second
    queue_.Schedule(queue_.now() + kSecond, events::UserAction{user});
    return;
  }
  Replica& client = ClientOf(user);
  const UserModel::Action action = User(user).workload->Next(client, queue_.now() - start_time_);
  if (action.intent.has_value()) {
    if (options_.script != nullptr) options_.script->push_back(ScriptEntryFor(user, queue_.now() - start_time_, action));
    const Intent intent{IntentId{user, User(user).next_intent_seq++}, *action.intent};
    User(user).intent_times.push_back(queue_.now());
    trace_.Add(kTraceTagIntent);
    trace_.Add(static_cast<uint64_t>(queue_.now()));
    trace_.AddBytes(Describe(intent));
    result_.set_intents(result_.intents() + 1);
    if (ChangesDocument(intent.body)) result_.set_edit_intents(result_.edit_intents() + 1);
    if (!action.inserted_word.empty()) record_.oracle.RecordInsert(action.inserted_word, intent.id);
    if (const auto* set = std::get_if<SetProperty>(&intent.body)) {
      // What the author saw there just before: the causal-overwrite check's input.
      const View before = client.GetView();
      const PropertyKey key{set->object, set->property};
      const auto seen = before.properties.find(key);
      record_.canvas.Record(check::PropertyWriteRecord{intent.id, ToSeconds(queue_.now() - kSimStart), key, set->value,
                                                seen == before.properties.end() ? PropertyValue{} : seen->second});
    }
    for (const std::string& word : action.deleted_words) record_.oracle.RecordDelete(word, intent.id);
    const int64_t cpu_before = options_.measure_cpu_ns ? options_.measure_cpu_ns() : 0;
    absl::Status status = Clocked(client).ApplyLocal(intent);
    if (options_.measure_cpu_ns) record_.local_apply_cpu_ns.push_back(options_.measure_cpu_ns() - cpu_before);
    if (recording()) Note(user, "intent " + Describe(intent));
    if (!status.ok()) {
      AddViolation("engine_error", absl::StrFormat("user %d rejected its own intent %s: %s", user, Describe(intent),
                                                   status.ToString()));
    }
    AfterStep(client);
  }
  if (action.next_in.has_value()) {
    queue_.Schedule(queue_.now() + std::max<SimTime>(*action.next_in, kMillisecond), events::UserAction{user});
  }
}

void World::OnDeliver(events::Deliver& event) {
  COLLABSIM_CHECK(messages_in_flight_ > 0);
  --messages_in_flight_;
  const bool gone = !transport_.IsUp(event.from, event.to) || transport_.Epoch(event.from, event.to) != event.epoch;
  const bool cut = transport_.IsCut(event.from, event.to);
  if (gone || cut) {
    if (recording()) {
      Note(event.to, absl::StrFormat("lost from %s (%s): %s", NodeName(event.from),
                                     cut ? "partition" : "its connection is gone",
                                     engine_.DescribeMessage(event.from, event.bytes)));
    }
    trace_.Add(kTraceTagLost);
    result_.set_messages_dropped(result_.messages_dropped() + 1);
    return;
  }
  trace_.Add(kTraceTagDeliver);
  trace_.Add(static_cast<uint64_t>(queue_.now()));
  trace_.Add((uint64_t{event.from} << 32) | event.to);
  trace_.AddBytes(event.bytes);
  Replica& receiver = event.to == kServerReplica ? *server_ : ClientOf(event.to);
  if (recording()) {
    Note(event.to, absl::StrFormat("receive from %s: %s", NodeName(event.from),
                                   engine_.DescribeMessage(event.from, event.bytes)));
  }
  const int64_t step_before = options_.measure_step_ns ? options_.measure_step_ns() : 0;
  absl::Status status = Clocked(receiver).Receive(event.from, event.bytes);
  if (options_.measure_step_ns) {
    const double ms = static_cast<double>(options_.measure_step_ns() - step_before) / 1e6;
    if (ms > result_.measured_max_receive_ms()) {
      result_.set_measured_max_receive_ms(ms);
      result_.set_measured_max_receive_replica(receiver.id());
    }
  }
  if (!status.ok()) {
    AddViolation("engine_error", absl::StrFormat("replica %d rejected a message from %d: %s", event.to, event.from,
                                                 status.ToString()));
  }
  AfterStep(receiver);
}

void World::AfterStep(Replica& replica) {
  Flush(replica);
  if (presence_ && replica.id() != kServerReplica) PublishPresence(replica.id());
  if (options_.check_invariants) replica.CheckInvariants();
}

void World::Flush(Replica& replica) {
  for (OutgoingMessage& message : replica.TakeOutbox()) Send(replica.id(), message);
  const bool is_client = replica.id() != kServerReplica;
  const std::vector<IntentId> visible = replica.TakeNewlyVisible();
  // Until when the server stalled last (stalls never overlap): a delivery
  // whose making came before then went through a stalled server.
  const SimTime stalled_until = is_client && !visible.empty() && transport_.via_server() ? ServerBusyUntil() : 0;
  for (const IntentId& id : visible) {
    COLLABSIM_CHECK(id.replica >= 1 && id.replica <= user_count_);
    COLLABSIM_CHECK(id.seq >= 1 && id.seq <= User(id.replica).intent_times.size());
    if (is_client) {
      // A restarted client re-learns its own old intents: not a remote delivery.
      if (id.replica == replica.id()) continue;
      const SimTime made = User(id.replica).intent_times[id.seq - 1];
      const SimTime latency = queue_.now() - made;
      record_.remote_latencies.push_back(latency);
      if (User(id.replica).links_changed_at < made && User(replica.id()).links_changed_at < made &&
          stalled_until <= made) {
        record_.steady_latencies.push_back(latency);
      } else {
        record_.fault_delayed_latencies.push_back(latency);
      }
      if (record_.flood_user != 0 && id.replica != record_.flood_user && replica.id() != record_.flood_user) {
        record_.bystander_edit_latencies.push_back(latency);
      }
      std::vector<bool>& held = User(id.replica).held_elsewhere;
      if (held.size() < id.seq) held.resize(User(id.replica).intent_times.size(), false);
      held[id.seq - 1] = true;
    } else {
      server_applied_.push_back(id);
    }
  }
}

void World::Send(ReplicaId from, OutgoingMessage& message) {
  const ReplicaId to = message.to;
  COLLABSIM_CHECK(to <= user_count_ && to != from);
  COLLABSIM_CHECK(transport_.via_server() ? (to == kServerReplica) != (from == kServerReplica) : to != kServerReplica);
  if (!transport_.IsUp(from, to)) {  // written to a closed connection
    if (recording()) Note(from, absl::StrFormat("unsent to %s (no connection)", NodeName(to)));
    result_.set_messages_dropped(result_.messages_dropped() + 1);
    return;
  }
  if (recording()) Note(from, absl::StrFormat("send to %s (%d bytes)", NodeName(to), message.bytes.size()));
  result_.set_messages(result_.messages() + 1);
  // The ideal reference charges the edit's own size, with no framing.
  const uint64_t payload = message.charged_bytes.value_or(message.bytes.size());
  result_.set_bytes(result_.bytes() + payload);
  const uint64_t wire = message.charged_bytes.has_value()
                            ? payload
                            : payload + WebSocketFrameOverhead(payload, transport_.Masks(from, to));
  const SimTime arrival = transport_.Arrival(from, to, queue_.now(), wire);
  result_.set_wire_bytes(result_.wire_bytes() + wire);
  ++messages_in_flight_;
  int copies = 0;
  for (const std::unique_ptr<Fault>& fault : faults_) copies += fault->ExtraCopies(*this, from, to);
  const std::string copy = copies > 0 ? message.bytes : std::string();
  queue_.Schedule(arrival, events::Deliver{from, to, transport_.Epoch(from, to), std::move(message.bytes)});
  for (int k = 0; k < copies; ++k) {  // a proxy's second delivery, right behind the first on the connection
    if (recording()) Note(from, absl::StrFormat("a proxy delivers that message to %s twice", NodeName(to)));
    result_.set_messages(result_.messages() + 1);
    result_.set_bytes(result_.bytes() + payload);
    result_.set_wire_bytes(result_.wire_bytes() + wire);
    ++messages_in_flight_;
    queue_.Schedule(transport_.Arrival(from, to, queue_.now(), wire),
                    events::Deliver{from, to, transport_.Epoch(from, to), copy});
  }
}

Replica& World::Clocked(Replica& replica) {
  replica.SetLocalTime(clocks_[replica.id()].Read(queue_.now()));
  return replica;
}

void World::SampleMemory() { RecordMemorySample(server_.get(), users_, queue_.now(), &result_); }

void World::AddViolation(const std::string& invariant, const std::string& detail) {
  constexpr int kMaxViolations = 20;  // the first ones explain the rest
  if (result_.violations_size() >= kMaxViolations) return;
  results::Violation* v = result_.add_violations();
  v->set_invariant(invariant);
  v->set_detail(detail);
  if (recording()) {
    *options_.history << absl::StrFormat("%14.6f  VIOLATION %s: %s\n", ToSeconds(queue_.now() - kSimStart), invariant,
                                         detail);
  }
}

void World::Note(ReplicaId node, std::string_view what) {
  *options_.history << absl::StrFormat("%14.6f  %-9s %s\n", ToSeconds(queue_.now() - kSimStart), NodeName(node), what);
}

}  // namespace collabsim::sim
