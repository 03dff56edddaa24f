// A fixed pool of worker threads running submitted jobs in submission order (FIFO). Used by the native backend to
// decode and preprocess images while the model runs. Plain C++.
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

}  // namespace infeval
