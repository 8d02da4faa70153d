// Compiled with the project's flags plus the CPU's fused multiply-add
// instructions (tests/CMakeLists.txt), so fp_contract_test sees what the
// compiler does with `a * b + c` when it is free to fuse it.
#include "tests/build/multiply_add.h"

namespace collabsim::test {

double MultiplyAdd(double a, double b, double c) { return a * b + c; }

}  // namespace collabsim::test
