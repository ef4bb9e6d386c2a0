// Runs a program from an argv (never a shell string) and captures stdout and stderr through pipes.
// Safe to call from worker threads.
//
// Each child starts in a process group of its own, so a time limit can end the whole tree it
// spawned (nvcc runs cicc, ptxas, fatbinary, ...), not just the direct child. The groups still
// running are remembered: kill_running_processes() ends them (compile_binding.cc calls it from
// the JS process's 'exit' event, so a CLI quitting on a second Ctrl-C leaves no compiler behind;
// Node joins its thread pool before exit(), so an atexit handler alone would wait for them).
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

struct ProcessResult {
  bool started = false;   // false: posix_spawn failed (spawn_errno says why)
  int spawn_errno = 0;
  int exit_code = -1;     // exit status, or 128 + signal when killed by a signal
  bool timed_out = false; // the time limit passed: the whole process group was killed
  std::string out;
  std::string err;
};

// timeout_ms <= 0: no limit.
ProcessResult run_process(const std::vector<std::string>& argv, long long timeout_ms = 0);

// SIGKILLs the process group of every child run_process() is still waiting on.
void kill_running_processes();

}  // namespace fp8lab
