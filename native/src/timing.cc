// timeGraphs: one CUDA graph per entry (callsPerGraph launches cycling through the entry's
// rotation), replayed interleaved (A B A B ...) between two events per replay, on a worker thread.
#include "bindings.h"
#include "napi_errors.h"
#include "napi_util.h"

namespace fp8lab {
namespace {

struct TimingJob {
  std::vector<std::vector<std::shared_ptr<Launchable>>> entries;
  uint32_t calls_per_graph = 1, warmup_replays = 0, rounds = 1;
  std::vector<std::vector<double>> per_call_us;
};

// Owns the graphs and events so every exit path releases them.
struct GraphSet {
  const Driver* drv;
  std::vector<CUgraph> graphs;
  std::vector<CUgraphExec> execs;
  CUevent start = nullptr, stop = nullptr;
  ~GraphSet() {
    for (auto e : execs) drv->cuGraphExecDestroy(e);
    for (auto g : graphs) drv->cuGraphDestroy(g);
    if (start) drv->cuEventDestroy(start);
    if (stop) drv->cuEventDestroy(stop);
  }
};

void run_timing(TimingJob& job) {
  const DeviceState& s = device();
  const Driver& d = *s.drv;
  GraphSet set{&d};
  check_cu(d.cuStreamSynchronize(s.stream), "cuStreamSynchronize (before capture)");
  for (auto& entry : job.entries) {
    check_cu(d.cuStreamBeginCapture(s.stream, kStreamCaptureModeThreadLocal), "cuStreamBeginCapture");
    try {
      for (uint32_t i = 0; i < job.calls_per_graph; ++i) entry[i % entry.size()]->enqueue(s.stream);
    } catch (...) {
      CUgraph broken = nullptr;
      d.cuStreamEndCapture(s.stream, &broken);
      if (broken) d.cuGraphDestroy(broken);
      throw;
    }
    CUgraph graph = nullptr;
    check_cu(d.cuStreamEndCapture(s.stream, &graph), "cuStreamEndCapture");
    set.graphs.push_back(graph);
    CUgraphExec exec = nullptr;
    check_cu(d.cuGraphInstantiateWithFlags(&exec, graph, 0), "cuGraphInstantiateWithFlags");
    set.execs.push_back(exec);
  }
  check_cu(d.cuEventCreate(&set.start, kEventDefault), "cuEventCreate");
  check_cu(d.cuEventCreate(&set.stop, kEventDefault), "cuEventCreate");
  for (uint32_t w = 0; w < job.warmup_replays; ++w)
    for (auto exec : set.execs) check_cu(d.cuGraphLaunch(exec, s.stream), "cuGraphLaunch (warm-up)");
  check_cu(d.cuStreamSynchronize(s.stream), "cuStreamSynchronize (warm-up)");

  job.per_call_us.assign(job.entries.size(), {});
  for (uint32_t r = 0; r < job.rounds; ++r) {
    for (size_t e = 0; e < set.execs.size(); ++e) {
      check_cu(d.cuEventRecord(set.start, s.stream), "cuEventRecord");
      check_cu(d.cuGraphLaunch(set.execs[e], s.stream), "cuGraphLaunch");
      check_cu(d.cuEventRecord(set.stop, s.stream), "cuEventRecord");
      check_cu(d.cuEventSynchronize(set.stop), "cuEventSynchronize");
      float ms = 0;
      check_cu(d.cuEventElapsedTime(&ms, set.start, set.stop), "cuEventElapsedTime");
      job.per_call_us[e].push_back(double(ms) * 1000.0 / job.calls_per_graph);
    }
  }
}

class TimingWorker : public Napi::AsyncWorker {
 public:
  TimingWorker(Napi::Env env, std::unique_ptr<TimingJob> job)
      : Napi::AsyncWorker(env, "fp8lab.timeGraphs"), job_(std::move(job)), deferred_(env) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      run_timing(*job_);
    } catch (const CodedError& e) {
      error_ = std::make_unique<CodedError>(e);
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    job_->entries.clear();  // release launches (and their buffers) on the main thread
    if (error_) {
      deferred_.Reject(to_js_error(env, *error_).Value());
      return;
    }
    Napi::Array outer = Napi::Array::New(env, job_->per_call_us.size());
    for (size_t e = 0; e < job_->per_call_us.size(); ++e) {
      Napi::Array inner = Napi::Array::New(env, job_->per_call_us[e].size());
      for (size_t i = 0; i < job_->per_call_us[e].size(); ++i) inner.Set(uint32_t(i), job_->per_call_us[e][i]);
      outer.Set(uint32_t(e), inner);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("perCallUs", outer);
    deferred_.Resolve(result);
  }

 private:
  std::unique_ptr<TimingJob> job_;
  std::unique_ptr<CodedError> error_;
  Napi::Promise::Deferred deferred_;
};

std::unique_ptr<TimingJob> read_job(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto job = std::make_unique<TimingJob>();
  if (info.Length() < 1 || !info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0)
    throw_bad_argument("timeGraphs(entries) needs a non-empty array of launch rotations");
  Napi::Array entries = info[0].As<Napi::Array>();
  for (uint32_t e = 0; e < entries.Length(); ++e) {
    std::string what = "timeGraphs entries[" + std::to_string(e) + "]";
    Napi::Value v = entries.Get(e);
    if (!v.IsArray() || v.As<Napi::Array>().Length() == 0)
      throw_bad_argument(what + " must be a non-empty array of GemmLaunch / PeerLaunch");
    Napi::Array rotation = v.As<Napi::Array>();
    std::vector<std::shared_ptr<Launchable>> list;
    for (uint32_t i = 0; i < rotation.Length(); ++i) {
      Napi::Value item = rotation.Get(i);
      std::shared_ptr<Launchable> l = unwrap_gemm_launch(env, item);
      if (!l) l = unwrap_peer_launch(env, item);
      if (!l) l = unwrap_mqa_launch(env, item);
      if (!l) throw_bad_argument(what + "[" + std::to_string(i) + "] must be a GemmLaunch, PeerLaunch or MqaLaunch");
      list.push_back(l);
    }
    job->entries.push_back(std::move(list));
  }
  Napi::Object o = require_object(info[1], "timeGraphs options");
  job->calls_per_graph = uint32_t(get_integer(o, "callsPerGraph", "timeGraphs options", 1, 1 << 20));
  job->warmup_replays = uint32_t(get_integer(o, "warmupReplays", "timeGraphs options", 0, 1 << 20));
  job->rounds = uint32_t(get_integer(o, "rounds", "timeGraphs options", 1, 1 << 20));
  return job;
}

}  // namespace

Napi::Value js_time_graphs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unique_ptr<TimingJob> job;
  try {
    job = read_job(info);
    device();
  } catch (const CodedError& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(to_js_error(env, e).Value());
    return d.Promise();
  }
  auto* w = new TimingWorker(env, std::move(job));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace fp8lab
