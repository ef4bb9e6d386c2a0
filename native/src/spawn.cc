#include "spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>

extern char** environ;

namespace fp8lab {
namespace {

// Process groups of children still running, killed at exit. Leaked on purpose: atexit handlers
// may run after static destructors.
std::mutex& groups_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::set<pid_t>& live_groups() {
  static auto* s = new std::set<pid_t>;
  return *s;
}

void kill_live_groups_at_exit() {
  // No lock: other threads may be gone or blocked; a stale entry only costs a failed kill().
  for (pid_t g : live_groups()) ::kill(-g, SIGKILL);
}

void remember_group(pid_t g) {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(kill_live_groups_at_exit); });
  std::lock_guard<std::mutex> lock(groups_mutex());
  live_groups().insert(g);
}

void forget_group(pid_t g) {
  std::lock_guard<std::mutex> lock(groups_mutex());
  live_groups().erase(g);
}

}  // namespace

void kill_running_processes() {
  std::lock_guard<std::mutex> lock(groups_mutex());
  for (pid_t g : live_groups()) ::kill(-g, SIGKILL);
}

ProcessResult run_process(const std::vector<std::string>& argv, long long timeout_ms) {
  ProcessResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_errno = errno;
    return result;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_errno = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a new group led by the child

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    result.spawn_errno = rc;
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return result;
  }
  result.started = true;
  remember_group(pid);

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buf[16384];
  while (open_count > 0) {
    int wait_ms = -1;
    if (timeout_ms > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        // Time is up: end the whole tree (a grandchild holding the pipes open included).
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      wait_ms = int(left < 1000 ? left : 1000);
    }
    int n_ready = ::poll(fds, 2, wait_ms);
    if (n_ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  forget_group(pid);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

}  // namespace fp8lab
