// Coded errors. C++ code throws CodedError anywhere (main or worker thread); the N-API layer turns
// it into a JS Error with `.code` (one of index.d.ts's ErrorCode), `.log` and `.cudaError`.
#pragma once

#include <napi.h>

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

// A JS Error object carrying the coded fields.
Napi::Error to_js_error(Napi::Env env, const CodedError& error);

// Runs fn, converting CodedError and std::exception into JS exceptions (NAPI_CPP_EXCEPTIONS).
template <typename Fn>
auto guarded(Napi::Env env, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const CodedError& e) {
    throw to_js_error(env, e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw to_js_error(env, CodedError("E_OUT_OF_MEMORY", "host memory exhausted"));
  } catch (const std::exception& e) {
    throw to_js_error(env, CodedError("E_BAD_ARGUMENT", e.what()));
  }
}

}  // namespace fp8lab
