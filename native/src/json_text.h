// The little JSON the cache manifests need: strings and string arrays written (escaped), and read
// back by field name from a manifest this code wrote (not a general JSON parser).
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

std::string json_escape(const std::string& s);  // the quoted, escaped string
std::string json_array(const std::vector<std::string>& v);
bool json_get_string(const std::string& json, const std::string& field, std::string* out);
bool json_get_string_array(const std::string& json, const std::string& field, std::vector<std::string>* out);

}  // namespace fp8lab
