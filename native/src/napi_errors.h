// CodedError (errors.h) at the N-API boundary: the JS Error it becomes, and the wrapper every
// binding runs its body in. Only the binding files include this (it pulls in napi.h).
#pragma once

#include <napi.h>

#include "errors.h"

namespace fp8lab {

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
