// Argument readers for the N-API layer: each failure is an E_BAD_ARGUMENT naming the field and
// what would be accepted.
#pragma once

#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "napi_errors.h"

namespace fp8lab {

inline Napi::Object require_object(const Napi::Value& v, const std::string& what) {
  if (!v.IsObject() || v.IsArray()) throw_bad_argument(what + " must be an object");
  return v.As<Napi::Object>();
}

inline bool has_field(const Napi::Object& o, const char* name) {
  return o.Has(name) && !o.Get(name).IsUndefined() && !o.Get(name).IsNull();
}

inline std::string get_string(const Napi::Object& o, const char* name, const std::string& what, bool required = true,
                              const std::string& fallback = {}) {
  if (!has_field(o, name)) {
    if (required) throw_bad_argument(what + "." + name + " is required (a string)");
    return fallback;
  }
  Napi::Value v = o.Get(name);
  if (!v.IsString()) throw_bad_argument(what + "." + name + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

inline bool get_bool(const Napi::Object& o, const char* name, const std::string& what, bool fallback = false) {
  if (!has_field(o, name)) return fallback;
  Napi::Value v = o.Get(name);
  if (!v.IsBoolean()) throw_bad_argument(what + "." + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

inline std::vector<std::string> get_string_array(const Napi::Object& o, const char* name, const std::string& what,
                                                 bool required = true) {
  std::vector<std::string> out;
  if (!has_field(o, name)) {
    if (required) throw_bad_argument(what + "." + name + " is required (an array of strings)");
    return out;
  }
  Napi::Value v = o.Get(name);
  if (!v.IsArray()) throw_bad_argument(what + "." + name + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsString()) throw_bad_argument(what + "." + name + "[" + std::to_string(i) + "] must be a string");
    out.push_back(e.As<Napi::String>().Utf8Value());
  }
  return out;
}

// A finite integer in [lo, hi].
inline int64_t to_integer(const Napi::Value& v, const std::string& what, int64_t lo, int64_t hi) {
  if (!v.IsNumber()) throw_bad_argument(what + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < double(lo) || d > double(hi))
    throw_bad_argument(what + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                       "] (got " + v.ToString().Utf8Value() + ")");
  return int64_t(d);
}

inline int64_t get_integer(const Napi::Object& o, const char* name, const std::string& what, int64_t lo, int64_t hi) {
  if (!has_field(o, name)) throw_bad_argument(what + "." + name + " is required (an integer)");
  return to_integer(o.Get(name), what + "." + name, lo, hi);
}

}  // namespace fp8lab
