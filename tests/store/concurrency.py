"""Writers at the same time, for the store tests that prove counters and listings stay exact."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_at_once(work: Callable[[int], None], count: int = 4, timeout: float = 60) -> list[BaseException]:
    """Run ``work(0)`` … ``work(count - 1)`` in threads at the same time and wait for them.

    Returns:
        What the threads raised (an empty list when all finished cleanly).
    """
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        errors.append(TimeoutError(f"a writer was still running after {timeout} s"))
    return errors
