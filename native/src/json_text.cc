#include "json_text.h"

#include <cstdio>
#include <cstdlib>

namespace fp8lab {
namespace {

// Reads the JSON string starting at s[pos] == '"'; advances pos past it. Handles the escapes we write.
bool parse_json_string(const std::string& s, size_t& pos, std::string* out) {
  if (pos >= s.size() || s[pos] != '"') return false;
  ++pos;
  out->clear();
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (pos >= s.size()) return false;
    char e = s[pos++];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u':
        if (pos + 4 > s.size()) return false;
        out->push_back(char(std::strtol(s.substr(pos, 4).c_str(), nullptr, 16)));
        pos += 4;
        break;
      default: out->push_back(e);
    }
  }
  return false;
}

size_t find_value(const std::string& json, const std::string& field) {
  size_t at = json.find("\"" + field + "\":");
  if (at == std::string::npos) return at;
  at += field.size() + 3;
  while (at < json.size() && json[at] == ' ') ++at;
  return at;
}

}  // namespace

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string json_array(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_escape(v[i]);
  return out + "]";
}

bool json_get_string(const std::string& json, const std::string& field, std::string* out) {
  size_t at = find_value(json, field);
  return at != std::string::npos && parse_json_string(json, at, out);
}

bool json_get_string_array(const std::string& json, const std::string& field, std::vector<std::string>* out) {
  size_t at = find_value(json, field);
  if (at == std::string::npos || json[at] != '[') return false;
  ++at;
  out->clear();
  while (at < json.size()) {
    while (at < json.size() && (json[at] == ' ' || json[at] == ',' || json[at] == '\n')) ++at;
    if (at < json.size() && json[at] == ']') return true;
    std::string item;
    if (!parse_json_string(json, at, &item)) return false;
    out->push_back(item);
  }
  return false;
}

}  // namespace fp8lab
