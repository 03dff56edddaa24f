// Length-bucketed scheduling and the thread pool (core): hand-derived orders and behaviours.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/schedule.h"
#include "core/thread_pool.h"

using namespace infeval;

TEST(Schedule, SortsByLengthInsideEachWindowOnly) {
  // Windows of 4: [0..3] and [4..5]. Inside the first: lengths 9 5 7 5 -> indices 1, 3 (ties keep file order),
  // then 2, then 0. Inside the second: 3 then 2 -> indices 5, 4. Nothing crosses a window boundary.
  const std::vector<int64_t> lengths = {9, 5, 7, 5, 3, 2};
  const std::vector<std::string> groups(6, "g");
  EXPECT_EQ(length_bucketed_order(lengths, groups, 4), (std::vector<size_t>{1, 3, 2, 0, 5, 4}));
}

TEST(Schedule, GroupsComeInFirstAppearanceOrderThenLength) {
  // Group b appears first (index 0), then a. b: indices 0 (len 4), 2 (len 1), 4 (len 4) -> 2, 0, 4; a: 1 (len 2),
  // 3 (len 1) -> 3, 1.
  const std::vector<int64_t> lengths = {4, 2, 1, 1, 4};
  const std::vector<std::string> groups = {"b", "a", "b", "a", "b"};
  EXPECT_EQ(length_bucketed_order(lengths, groups, 100), (std::vector<size_t>{2, 0, 4, 3, 1}));
}

TEST(Schedule, WindowOfOneKeepsFileOrder) {
  EXPECT_EQ(length_bucketed_order({3, 2, 1}, {"x", "y", "x"}, 1), (std::vector<size_t>{0, 1, 2}));
}

TEST(Schedule, EmptyInputAndBadArguments) {
  EXPECT_TRUE(length_bucketed_order({}, {}, 8).empty());
  EXPECT_THROW(length_bucketed_order({1, 2}, {"a"}, 8), InputError);
  EXPECT_THROW(length_bucketed_order({1}, {"a"}, 0), InputError);
}

TEST(ThreadPool, RunsJobsAndCarriesResultsAndExceptions) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  std::vector<std::future<int>> results;
  for (int i = 0; i < 50; ++i) results.push_back(pool.submit([i] { return i * i; }));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(results[i].get(), i * i);
  auto failing = pool.submit([]() -> int { throw std::runtime_error("bad image"); });
  EXPECT_THROW(failing.get(), std::runtime_error);
}

TEST(ThreadPool, DestructorFinishesQueuedJobs) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 20; ++i)
      pool.submit([&done] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ++done;
      });
  }  // futures dropped: the jobs still run before the pool goes
  EXPECT_EQ(done.load(), 20);
}
