// Coded errors, plain C++ (no N-API): any code, on any thread, throws CodedError; napi_errors.h
// turns it into a JS Error with `.code` (one of index.d.ts's ErrorCode), `.log` and `.cudaError`.
#pragma once

#include <stdexcept>
#include <string>

namespace fp8lab {

struct CodedError : std::runtime_error {
  CodedError(std::string code_, const std::string& message, std::string log_ = {}, std::string cuda_error_ = {})
      : std::runtime_error(message), code(std::move(code_)), log(std::move(log_)), cuda_error(std::move(cuda_error_)) {}
  std::string code;
  std::string log;         // compiler output for E_COMPILE / E_PTXAS_CHECK
  std::string cuda_error;  // CUresult name for E_CUDA / E_KERNEL_FAULT / E_OUT_OF_MEMORY
};

[[noreturn]] inline void throw_bad_argument(const std::string& message) { throw CodedError("E_BAD_ARGUMENT", message); }

}  // namespace fp8lab
