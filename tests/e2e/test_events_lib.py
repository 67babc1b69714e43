"""lib/events.js `throttled`: the teacher's live counts refresh at once and during a burst (a
debounce waited until the burst ended), never two refreshes at a time, one after the last call."""

import pytest

pytestmark = pytest.mark.e2e

SCRIPT = """async () => {
  const { throttled } = await import('/static/js/lib/events.js');
  const log = [];
  let release = [];
  let running = 0, most = 0;
  const task = () => new Promise((resolve) => {
    running += 1; most = Math.max(most, running); log.push('run');
    release.push(() => { running -= 1; resolve(); });
  });
  const call = throttled(task, 10);
  call();
  const atOnce = log.length;                      // 1: the first call runs without waiting
  for (let i = 0; i < 5; i++) call();             // a burst while the first run is busy
  const duringBurst = log.length;                 // still 1: never two at a time
  release.shift()();                              // the first run ends ...
  await new Promise((r) => setTimeout(r, 60));    // ... the gap passes
  const afterFirst = log.length;                  // 2: the burst folded into one more run
  release.shift()();
  await new Promise((r) => setTimeout(r, 60));
  const settled = log.length;                     // 2: nothing was called since
  call();
  const again = log.length;                       // 3: idle again, so at once
  release.shift()();
  return [atOnce, duringBurst, afterFirst, settled, again, most];
}"""


def test_throttled_runs_at_once_folds_a_burst_and_never_overlaps(page, server_url):
    page.goto(f"{server_url}/")
    assert page.evaluate(SCRIPT) == [1, 1, 2, 2, 3, 1]
