// Memory samples of a run (see memory_sampler.h).
#include "sim/memory_sampler.h"

#include <algorithm>

namespace collabsim::sim {

void RecordMemorySample(const Replica* server_replica, const std::vector<UserState>& users, SimTime now,
                        results::RunResult* result) {
  const ReplicaStats server = server_replica != nullptr ? server_replica->Stats() : ReplicaStats{};
  uint64_t client_max = 0, client_merge_peak = 0;
  for (const UserState& user : users) {
    const MemoryStats memory = user.replica->Stats().memory;
    client_max = std::max(client_max, memory.Total());
    client_merge_peak = std::max(client_merge_peak, memory.merge_peak_bytes);
  }
  results::MemorySample* sample = result->add_memory_samples();
  sample->set_at_s(ToSeconds(now - kSimStart));
  sample->set_server_content_bytes(server.memory.content_bytes);
  sample->set_server_metadata_bytes(server.memory.metadata_bytes);
  sample->set_server_tombstone_bytes(server.memory.tombstone_bytes);
  sample->set_server_history_bytes(server.memory.history_bytes);
  sample->set_server_buffered_bytes(server.memory.buffered_bytes);
  sample->set_server_merge_bytes(server.memory.merge_bytes);
  sample->set_client_bytes_max(client_max);
  sample->set_wire_bytes(result->wire_bytes());
  results::MemorySummary* memory = result->mutable_memory();
  memory->set_server_bytes_peak(std::max<uint64_t>(memory->server_bytes_peak(), server.memory.Total()));
  memory->set_client_bytes_peak(std::max<uint64_t>(memory->client_bytes_peak(), client_max));
  memory->set_server_merge_bytes_peak(
      std::max<uint64_t>(memory->server_merge_bytes_peak(), server.memory.merge_peak_bytes));
  memory->set_client_merge_bytes_peak(std::max<uint64_t>(memory->client_merge_bytes_peak(), client_merge_peak));
}

}  // namespace collabsim::sim
