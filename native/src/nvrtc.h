// NVRTC, loaded lazily with dlopen (libnvrtc.so.13, then .12) from <cudaHome>/lib64 or the loader's
// path. Used when compile() is asked for compiler 'nvrtc'.
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

struct NvrtcOutput {
  bool ok = false;
  std::string cubin;
  std::string ptx;
  std::string log;
};

// "nvrtc <major>.<minor> (<library path>)"; throws E_NO_COMPILER when NVRTC cannot be loaded.
std::string nvrtc_identity(const std::string& cuda_home);
// True when a libnvrtc can be loaded from cuda_home (or the loader path when empty).
bool nvrtc_available(const std::string& cuda_home);
// Compiles source to a cubin (and PTX when want_ptx) with the given options.
NvrtcOutput nvrtc_compile(const std::string& cuda_home, const std::string& source, const std::string& name,
                          const std::vector<std::string>& options, bool want_ptx);

}  // namespace fp8lab
