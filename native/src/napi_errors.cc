#include "napi_errors.h"

namespace fp8lab {

Napi::Error to_js_error(Napi::Env env, const CodedError& error) {
  Napi::Error js = Napi::Error::New(env, error.what());
  js.Set("code", Napi::String::New(env, error.code));
  if (!error.log.empty()) js.Set("log", Napi::String::New(env, error.log));
  if (!error.cuda_error.empty()) js.Set("cudaError", Napi::String::New(env, error.cuda_error));
  return js;
}

}  // namespace fp8lab
