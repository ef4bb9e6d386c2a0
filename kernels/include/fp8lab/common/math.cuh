// Small integer helpers usable at compile time and on the device.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab {

template <typename T>
__host__ __device__ constexpr T ceil_div(T a, T b) { return (a + b - 1) / b; }

template <typename T>
__host__ __device__ constexpr T align_up(T a, T b) { return ceil_div(a, b) * b; }

template <typename T>
__host__ __device__ constexpr T constexpr_gcd(T a, T b) { return b == 0 ? a : constexpr_gcd(b, a % b); }

template <typename T>
__host__ __device__ constexpr T constexpr_min(T a, T b) { return a < b ? a : b; }

// x, which the compiler must then treat as known only at run time (an empty asm that may change
// it): keeps a loop's structure when its trip count would otherwise be a compile-time constant, and
// keeps a value computed once in a register where the compiler would rebuild it at every use.
__device__ __forceinline__ uint32_t runtime_value(uint32_t x) {
  asm("" : "+r"(x));
  return x;
}

}  // namespace fp8lab
