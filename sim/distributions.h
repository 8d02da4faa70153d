// Random variates from our own code (not std::*_distribution, whose output
// differs between standard libraries). Every function draws from the Prng it
// is given and nothing else.
#pragma once

#include "sim/prng.h"

namespace collabsim::sim {

// Exponential with the given mean. REQUIRES: mean >= 0.
double SampleExponential(Prng& prng, double mean);
// Normal (Marsaglia's polar method).
double SampleNormal(Prng& prng, double mean, double stddev);
// exp(N(ln median, sigma^2)). REQUIRES: median > 0.
double SampleLognormal(Prng& prng, double median, double sigma);
// Pareto type I: >= scale, tail index shape. REQUIRES: scale > 0, shape > 0.
double SamplePareto(Prng& prng, double scale, double shape);
// Uniform in [low, high).
double SampleUniform(Prng& prng, double low, double high);

}  // namespace collabsim::sim
