// OT primitives on a document of realistic size: transform and in-place apply
// of a single-word insert, the common case on every replica.
#include <benchmark/benchmark.h>

#include "engines/ot/text_op.h"

namespace collabsim::ot {
namespace {

void BM_TransformWordInserts(benchmark::State& state) {
  const uint64_t length = state.range(0);
  const TextOp a = MakeInsert(length, length / 3, U"word ");
  const TextOp b = MakeInsert(length, length / 2, U"other ");
  for (auto _ : state) benchmark::DoNotOptimize(Transform(a, b));
}
BENCHMARK(BM_TransformWordInserts)->Arg(1 << 10)->Arg(1 << 16);

void BM_ApplyInPlaceWordInsert(benchmark::State& state) {
  const uint64_t length = state.range(0);
  ChunkedText doc(std::u32string(length, U'x'));
  const TextOp insert = MakeInsert(length, length / 2, U"word ");
  const TextOp undo = MakeDelete(length + 5, length / 2, 5);
  for (auto _ : state) {
    ApplyInPlace(&doc, insert);
    ApplyInPlace(&doc, undo);
  }
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_ApplyInPlaceWordInsert)->Arg(1 << 10)->Arg(1 << 16);

}  // namespace
}  // namespace collabsim::ot
