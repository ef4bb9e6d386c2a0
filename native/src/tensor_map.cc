#include "tensor_map.h"

#include <string>

#include "device.h"
#include "errors.h"

namespace fp8lab {

TmaBox d_store_box(uint32_t block_n, uint32_t block_m, uint32_t swizzle_d, uint32_t /*num_math_warpgroups*/,
                   uint32_t elem_bytes) {
  return TmaBox{swizzle_d == 0 ? block_n : swizzle_d / elem_bytes, block_m};
}

CUtensorMap encode_tma(const TmaSpec& t) {
  const std::string who = std::string("tensor map ") + t.name;
  auto describe = [&] {
    return " (dims " + std::to_string(t.inner_dim) + " x " + std::to_string(t.outer_dim) + ", row stride " +
           std::to_string(t.row_stride_bytes) + " B, box " + std::to_string(t.box.inner) + " x " +
           std::to_string(t.box.outer) + ", swizzle " + std::to_string(t.swizzle_bytes) + " B)";
  };
  if (t.box.inner == 0 || t.box.outer == 0 || t.box.inner > 256 || t.box.outer > 256)
    throw_bad_argument(who + ": box dimensions must be in 1..256" + describe());
  if ((uint64_t(t.box.inner) * t.elem_bytes) % 16 != 0)
    throw_bad_argument(who + ": the box's inner extent must be a multiple of 16 bytes" + describe());
  int swizzle = kTensorMapSwizzleNone;
  switch (t.swizzle_bytes) {
    case 0: break;
    case 32: swizzle = kTensorMapSwizzle32B; break;
    case 64: swizzle = kTensorMapSwizzle64B; break;
    case 128: swizzle = kTensorMapSwizzle128B; break;
    default: throw_bad_argument(who + ": swizzle must be 0, 32, 64 or 128 bytes" + describe());
  }
  if (t.swizzle_bytes != 0 && uint64_t(t.box.inner) * t.elem_bytes > t.swizzle_bytes)
    throw_bad_argument(who + ": with a " + std::to_string(t.swizzle_bytes) +
                       "-byte swizzle the box's inner extent may be at most " + std::to_string(t.swizzle_bytes) +
                       " bytes" + describe());
  if (t.base % 16 != 0) throw_bad_argument(who + ": the buffer address must be 16-byte aligned");
  if (t.outer_dim > 1 && t.row_stride_bytes % 16 != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", who + ": the row stride must be a multiple of 16 bytes" + describe());
  if (t.inner_dim == 0 || t.outer_dim == 0) throw_bad_argument(who + ": empty tensor" + describe());
  if (t.planes > 0 && t.plane_stride_bytes % 16 != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", who + ": the plane stride must be a multiple of 16 bytes" + describe());

  const DeviceState& s = device();
  CUtensorMap map{};
  const cuuint32_t rank = t.planes > 0 ? 3 : 2;
  cuuint64_t dims[3] = {t.inner_dim, t.outer_dim, t.planes};
  cuuint64_t strides[2] = {t.row_stride_bytes, t.plane_stride_bytes};
  cuuint32_t box[3] = {t.box.inner, t.box.outer, 1};
  cuuint32_t element_strides[3] = {1, 1, 1};
  CUresult r = s.drv->cuTensorMapEncodeTiled(&map, t.data_type, rank, reinterpret_cast<void*>(t.base), dims, strides, box,
                                             element_strides, kTensorMapInterleaveNone, swizzle, t.l2_promotion,
                                             kTensorMapFloatOobFillNone);
  if (r == kCudaErrorInvalidValue)
    throw CodedError("E_BAD_ARGUMENT", "cuTensorMapEncodeTiled rejected " + who + describe(), {},
                     cu_error_name(r));
  check_cu(r, "cuTensorMapEncodeTiled");
  return map;
}

}  // namespace fp8lab
