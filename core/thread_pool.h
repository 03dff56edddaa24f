// The project's one thread pool: a fixed set of worker threads running submitted jobs in submission order (FIFO).
// The native backend decodes and preprocesses images on it while the model runs; parallel_for (the bootstrap's
// resamples) runs on it too. Plain C++.
#pragma once
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <type_traits>
#include <vector>

namespace infeval {

class ThreadPool {
 public:
  // threads >= 1.
  explicit ThreadPool(int threads);
  // Finishes the queued jobs, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }

  // Runs job() on a worker; the future carries its result or its exception.
  template <typename Job>
  std::future<std::invoke_result_t<Job>> submit(Job job) {
    using Result = std::invoke_result_t<Job>;
    auto task = std::make_shared<std::packaged_task<Result()>>(std::move(job));
    std::future<Result> result = task->get_future();
    enqueue([task] { (*task)(); });
    return result;
  }

 private:
  void enqueue(std::function<void()> job);
  void work();

  std::vector<std::thread> workers_;
  std::queue<std::function<void()>> jobs_;
  std::mutex mutex_;
  std::condition_variable ready_;
  bool stopping_ = false;
};

// min(8, hardware threads), at least 1: the default for worker counts left at 0 or -1 by the user.
int default_worker_threads();

// Runs body(i) for every i in [0, count) on a ThreadPool of `threads` workers (0: default_worker_threads(); never
// more than count). One worker, or count <= 1, runs on the calling thread. Each worker takes the next index from a
// shared counter; the first exception stops the remaining indices and is rethrown here.
void parallel_for(size_t count, int threads, const std::function<void(size_t)>& body);

}  // namespace infeval
