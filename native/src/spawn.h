// Runs a program from an argv (never a shell string) and captures stdout and stderr through pipes.
// Safe to call from worker threads.
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

struct ProcessResult {
  bool started = false;   // false: posix_spawn failed (spawn_errno says why)
  int spawn_errno = 0;
  int exit_code = -1;     // exit status, or 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace fp8lab
