// Writes the seed corpora of the fuzz targets that take engine bytes
// (restore, engine_session, presence) from real replicas, into the folder
// named on the command line. Run by hand when an engine's formats change:
//   build/release/bin/make_seed_corpus tests/fuzz/corpus
// The corpora of the file parsers are copies of real files (see README.md
// in this folder).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/presence/presence_codec.h"
#include "engines/registry.h"

namespace collabsim::fuzz {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string U16(uint32_t value) { return std::string{static_cast<char>(value >> 8), static_cast<char>(value & 0xff)}; }

// A server (none for a mesh) and two clients, all linked, messages
// delivered until none is left.
struct Room {
  explicit Room(const Engine& engine) : mesh(engine.traits().topology == Topology::kMesh) {
    if (!mesh) nodes[kServerReplica] = engine.CreateServer(EngineOptions{});
    for (ReplicaId user : {1, 2}) nodes[user] = engine.CreateClient(user, EngineOptions{});
    Link(1, mesh ? 2 : kServerReplica);
    if (!mesh) Link(2, kServerReplica);
    Pump();
  }
  void Link(ReplicaId a, ReplicaId b) {
    nodes[a]->Connected(b);
    nodes[b]->Connected(a);
  }
  void Do(ReplicaId user, IntentBody body) {
    (void)nodes[user]->ApplyLocal(Intent{IntentId{user, ++seq[user]}, std::move(body)});
    Pump();
  }
  void Pump() {
    for (bool any = true; any;) {
      any = false;
      for (auto& [id, node] : nodes) {
        node->TakeNewlyVisible();
        for (const OutgoingMessage& m : node->TakeOutbox()) {
          any = true;
          (void)nodes.at(m.to)->Receive(id, m.bytes);
        }
      }
    }
  }
  bool mesh;
  std::map<ReplicaId, std::unique_ptr<Replica>> nodes;
  std::map<ReplicaId, uint64_t> seq;
};

// A fixed pseudo-random byte string (an LCG), for session programs.
std::string Program(uint32_t engine, uint32_t seed, size_t size) {
  std::string bytes = U16(engine);
  uint64_t state = 0x9E3779B97F4A7C15ULL * (seed + 1);
  while (bytes.size() < size) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    bytes += static_cast<char>(state >> 56);
  }
  return bytes;
}

}  // namespace
}  // namespace collabsim::fuzz

int main(int argc, char** argv) {
  using namespace collabsim;
  using namespace collabsim::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_corpus CORPUS_DIR\n");
    return 2;
  }
  const fs::path out(argv[1]);
  const auto& engines = AllEngines();
  for (uint32_t k = 0; k < engines.size(); ++k) {
    const Engine& engine = *engines[k];
    const std::string name = engine.traits().name;
    Room room(engine);
    room.Do(1, InsertText{0, "hello world "});
    room.Do(2, InsertText{0, "ab "});
    room.Do(1, DeleteText{1, 2});
    for (const auto& [id, node] : room.nodes) {
      const bool server = id == kServerReplica;
      const std::string state = node->DurableState();
      if (state.size() > 0xffff) continue;
      Write(out / "restore" / (name + (server ? "-server" : "-client" + std::to_string(id))),
            U16(k) + std::string(1, server ? '\0' : '\1') + U16(static_cast<uint32_t>(state.size())) + state);
    }
    for (uint32_t seed = 0; seed < 3; ++seed) {
      Write(out / "engine_session" / (name + "-" + std::to_string(seed)), Program(k, seed, 160));
    }
  }
  // Presence: an update and a batch as a client and a server send them.
  PresenceEntry entry;
  entry.user = 2;
  entry.name = "Ada";
  entry.colour = 0x3366cc;
  entry.anchor = "a1";
  entry.head = "h1";
  wire::PresenceEntry wire_entry;
  EncodePresenceEntry(entry, &wire_entry);
  PresenceBatch batch;
  batch.full = true;
  batch.entries = {entry};
  wire::PresenceBatch wire_batch;
  EncodePresenceBatch(batch, &wire_batch);
  const std::string e = wire_entry.SerializeAsString(), b = wire_batch.SerializeAsString();
  Write(out / "presence" / "entry-then-batch",
        U16(static_cast<uint32_t>(e.size())) + e + std::string(1, '\0') + U16(static_cast<uint32_t>(b.size())) + b + "\1");
  std::printf("seed corpora written under %s\n", out.c_str());
  return 0;
}
