{
  # The FP8 GEMM Lab runtime addon. Node-API only (NAPI_VERSION 8): one build loads in Node 20,
  # Node 24 and Electron. No link-time CUDA dependency: libcuda, NVRTC and cuBLASLt are dlopen()ed.
  "targets": [
    {
      "target_name": "fp8lab",
      "sources": [
        "src/addon.cc",
        "src/napi_errors.cc",
        "src/sha256.cc",
        "src/fs_util.cc",
        "src/spawn.cc",
        "src/driver.cc",
        "src/nvrtc.cc",
        "src/cubin_check.cc",
        "src/json_text.cc",
        "src/compiler_identity.cc",
        "src/compiler_flags.cc",
        "src/compiler_run.cc",
        "src/cache_key.cc",
        "src/cache_entry.cc",
        "src/jit_compile.cc",
        "src/compile_binding.cc",
        "src/device.cc",
        "src/device_binding.cc",
        "src/tensor_map.cc",
        "src/gemm_operands.cc",
        "src/gemm_launch_parse.cc",
        "src/gemm_launch_validate.cc",
        "src/gemm_args_build.cc",
        "src/gemm_launch.cc",
        "src/cublaslt.cc",
        "src/timing.cc",
        "src/mqa_launch.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "../kernels/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
