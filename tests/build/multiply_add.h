// a * b + c as ordinary source code: two roundings unless the compiler fuses it.
#pragma once

namespace collabsim::test {

[[gnu::noinline]] double MultiplyAdd(double a, double b, double c);

}  // namespace collabsim::test
