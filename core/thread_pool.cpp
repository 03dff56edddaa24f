#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>

namespace infeval {

ThreadPool::ThreadPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::enqueue(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push(std::move(job));
  }
  ready_.notify_one();
}

void ThreadPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop();
    }
    job();  // packaged_task: exceptions land in the future
  }
}

int default_worker_threads() {
  return static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
}

void parallel_for(size_t count, int threads, const std::function<void(size_t)>& body) {
  const int wanted = threads > 0 ? threads : default_worker_threads();
  const int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(wanted), std::max<size_t>(1, count)));
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      try {
        body(i);
      } catch (...) {
        next.store(count);  // the other workers stop at their next index
        throw;
      }
    }
  };
  std::vector<std::future<void>> done;
  {
    ThreadPool pool(workers);
    for (int w = 0; w < workers; ++w) done.push_back(pool.submit(work));
  }  // joins the workers
  for (auto& d : done) d.get();  // rethrows the first worker's exception, in worker order
}

}  // namespace infeval
