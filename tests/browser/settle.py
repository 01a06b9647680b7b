"""Wait for a Streamlit page to be drawn and still, instead of sleeping a guessed time."""

from __future__ import annotations

from typing import Any

# True once the page has stood still for `hold` ms: the script's run over (Streamlit marks its
# root with the run's state), nothing greyed out as stale, no placeholder skeleton, every chart
# drawn, and every finite animation (a card fading in, a number rising) finished.
STILL = """([hold]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const still = app && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-stale="true"], [data-testid^="stStatusWidgetRunning"],'
                               + ' [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
         .every((c) => c.querySelector('.js-plotly-plot .main-svg'))
    && document.getAnimations().every((a) => a.playState !== 'running'
         || a.effect?.getComputedTiming().iterations === Infinity);
  if (!still) { window.__stillSince = undefined; return false; }
  window.__stillSince ??= performance.now();
  return performance.now() - window.__stillSince >= hold;
}"""


def settled(page: Any, timeout: float = 60_000, hold: float = 300) -> None:
    """Wait until the page's run has ended and what it drew has stood still for `hold` ms."""
    page.evaluate("() => { window.__stillSince = undefined; }")
    page.wait_for_function(STILL, arg=[hold], timeout=timeout, polling=50)
