#!/bin/bash
# GPU machine, after the build: runs NativeRun.* twice in a row, twice at once, and after a killed ctest. On
# 2026-11-26 (results/bench/h200-2026-11-26-b/nativerun_repro.log) every run after the first crashed in
# std::filesystem::remove_all (pytorch/pytorch#133437); with core/remove_tree every rc should be 0.
# Usage: DEVICE_CHECK_SCRIPT=scripts/device_repro_nativerun.sh bash scripts/device_run.sh
export LD_LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
T=/tmp/build/tests/test_model
LOG=$OUT/repro.log
for i in 1 2; do
  timeout 60 $T --gtest_filter='NativeRun.*' > /tmp/s$i.log 2>&1; echo "sequential $i rc=$?" | tee -a $LOG
  grep -A40 "fatal signal" /tmp/s$i.log | c++filt >> $LOG
done
(timeout 60 $T --gtest_filter='NativeRun.*' > /tmp/c1.log 2>&1; echo "concurrent 1 rc=$?" >> $LOG) &
(timeout 60 $T --gtest_filter='NativeRun.*' > /tmp/c2.log 2>&1; echo "concurrent 2 rc=$?" >> $LOG) &
wait
for f in /tmp/c1.log /tmp/c2.log; do grep -E "Failure|FAILED|fatal" -A40 $f | head -60 | c++filt >> $LOG; done
timeout 25 ctest --test-dir /tmp/build -L reference -j8 > /tmp/ct.log 2>&1; echo "killed ctest rc=$?" | tee -a $LOG
ps aux | grep "[t]est_model" | wc -l | sed 's/^/test_model processes left: /' | tee -a $LOG
timeout 60 $T --gtest_filter='NativeRun.*' > /tmp/a.log 2>&1; echo "after killed ctest rc=$?" | tee -a $LOG
grep -E "Failure|FAILED|fatal" -A40 /tmp/a.log | head -60 | c++filt >> $LOG
sleep 8
ps aux | grep "[t]est_model" | wc -l | sed 's/^/test_model processes left after 8 s: /' | tee -a $LOG
timeout 60 $T --gtest_filter='NativeRun.*' > /tmp/b.log 2>&1; echo "again rc=$?" | tee -a $LOG
grep -E "Failure|FAILED|fatal" -A40 /tmp/b.log | head -60 | c++filt >> $LOG
cat $LOG | tail -n 80
