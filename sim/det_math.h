// Natural log and exp built from IEEE-754 basic operations only (+ - * /,
// frexp, ldexp), so results are bit-identical on every machine. libm's log
// and exp are not guaranteed to round the same way everywhere, and a single
// differing bit can change a rounded delay and with it a whole run.
#pragma once

namespace collabsim::sim {

// REQUIRES: x > 0 and finite. Relative error below 1e-15.
double DeterministicLog(double x);
// Returns +inf above 709.78 and 0 below -745.
double DeterministicExp(double x);

}  // namespace collabsim::sim
