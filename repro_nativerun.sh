#!/bin/bash
# Scratch: does NativeRun crash when run twice, concurrently, or after a killed ctest? (not committed)
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
