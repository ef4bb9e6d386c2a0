#include "cubin_check.h"

#include <cstdint>
#include <cstring>

namespace fp8lab {
namespace {

constexpr uint16_t kEmCuda = 190;
constexpr uint16_t kEtExec = 2;
constexpr uint32_t kShtNobits = 8;
constexpr unsigned kSm = 90;

template <typename T>
T read_le(const std::string& b, uint64_t at) {
  T v{};
  std::memcpy(&v, b.data() + at, sizeof(T));  // x86-64 and aarch64 hosts are little-endian, like the file
  return v;
}

// [offset, offset + size) inside a file of `total` bytes, without overflow.
bool inside(uint64_t offset, uint64_t size, uint64_t total) { return offset <= total && size <= total - offset; }

std::string n(uint64_t v) { return std::to_string(v); }

}  // namespace

std::string cubin_problem(const std::string& b) {
  const uint64_t total = b.size();
  if (total < 64) return "the cubin is " + n(total) + " bytes, shorter than an ELF header";
  if (std::memcmp(b.data(), "\x7f" "ELF", 4) != 0) return "the cubin does not start with the ELF magic";
  if (b[4] != 2 || b[5] != 1) return "the cubin is not a 64-bit little-endian ELF";
  const unsigned abi = (unsigned char)b[8];
  if (read_le<uint16_t>(b, 16) != kEtExec) return "the cubin is not an ELF executable (e_type " + n(read_le<uint16_t>(b, 16)) + ")";
  const uint16_t machine = read_le<uint16_t>(b, 18);
  if (machine != kEmCuda) return "the cubin's machine is " + n(machine) + ", not EM_CUDA (190)";
  // CUDA ELF ABI 8 (CUDA 13) keeps the SM in bits 8-15 of e_flags; older ABIs (CUDA 12) in bits
  // 0-7. Either place naming SM 90 is accepted: this check is for damaged files, and a toolkit
  // that moves the field again must not make every compile fail.
  const uint32_t flags = read_le<uint32_t>(b, 48);
  const unsigned sm = abi >= 8 ? (flags >> 8) & 0xff : flags & 0xff;
  if (sm != kSm && ((flags >> 8) & 0xff) != kSm && (flags & 0xff) != kSm) return "the cubin is for sm_" + n(sm) + ", not sm_90a";

  const uint64_t phoff = read_le<uint64_t>(b, 32), shoff = read_le<uint64_t>(b, 40);
  const uint16_t phentsize = read_le<uint16_t>(b, 54), phnum = read_le<uint16_t>(b, 56);
  const uint16_t shentsize = read_le<uint16_t>(b, 58), shnum = read_le<uint16_t>(b, 60), shstrndx = read_le<uint16_t>(b, 62);
  if (shnum == 0 || shentsize != 64) return "the cubin has no section table";
  if (!inside(shoff, uint64_t(shnum) * 64, total))
    return "the section table (" + n(shnum) + " entries at byte " + n(shoff) + ") ends past the end of the " + n(total) +
           "-byte file: the cubin is truncated";
  if (shstrndx >= shnum) return "the cubin's section-name table index is out of range";
  if (phnum > 0) {
    if (phentsize != 56 || !inside(phoff, uint64_t(phnum) * 56, total))
      return "the program header table ends past the end of the " + n(total) + "-byte file: the cubin is truncated";
    for (uint16_t i = 0; i < phnum; ++i) {
      const uint64_t ph = phoff + uint64_t(i) * 56;
      const uint64_t offset = read_le<uint64_t>(b, ph + 8), filesz = read_le<uint64_t>(b, ph + 32);
      if (!inside(offset, filesz, total))
        return "segment " + n(i) + " ends past the end of the " + n(total) + "-byte file: the cubin is truncated";
    }
  }
  bool has_text = false;
  const uint64_t names_at = shoff + uint64_t(shstrndx) * 64;
  const uint64_t names_off = read_le<uint64_t>(b, names_at + 24), names_size = read_le<uint64_t>(b, names_at + 32);
  if (!inside(names_off, names_size, total)) return "the section-name table lies past the end of the file: the cubin is truncated";
  for (uint16_t i = 1; i < shnum; ++i) {
    const uint64_t sh = shoff + uint64_t(i) * 64;
    const uint32_t name = read_le<uint32_t>(b, sh), type = read_le<uint32_t>(b, sh + 4);
    const uint64_t offset = read_le<uint64_t>(b, sh + 24), size = read_le<uint64_t>(b, sh + 32);
    if (type != kShtNobits && !inside(offset, size, total))
      return "section " + n(i) + " (bytes " + n(offset) + ".." + n(offset + size) + ") ends past the end of the " + n(total) +
             "-byte file: the cubin is truncated";
    if (name < names_size && b.compare(names_off + name, 6, ".text.") == 0) has_text = true;
  }
  if (!has_text) return "the cubin holds no .text section (no kernel code)";
  return "";
}

std::string ptxas_log_problem(const std::string& log, const std::vector<std::string>& kernel_names) {
  for (const auto& name : kernel_names) {
    const std::string entry = "Compiling entry function '" + name + "' for 'sm_90a'";
    size_t at = log.find(entry);
    if (at == std::string::npos) return "the ptxas report has no \"" + entry + "\" line";
    // The register line of this entry comes before the next entry's report.
    size_t next = log.find("Compiling entry function '", at + entry.size());
    size_t used = log.find("Used ", at + entry.size());
    size_t line_end = used == std::string::npos ? used : log.find('\n', used);
    if (used == std::string::npos || (next != std::string::npos && used > next) ||
        log.substr(used, line_end == std::string::npos ? std::string::npos : line_end - used).find(" registers") == std::string::npos)
      return "the ptxas report of '" + name + "' has no \"Used N registers\" line (the report is cut short)";
  }
  return "";
}

}  // namespace fp8lab
