"""A key in a provider field shows its results in the same frame as the typed character.

The provider search is a database query. The first one runs in a worker; while
searches stay quick (under ``QUICK_SECONDS``: a small directory on a local or
nearby database) the next keys search as the input's value changes, so the
character and its results are painted together. A slow search sends the next
key back to a worker, so a large directory or a busy server never holds up the
keys (issue 7 item 4; benchmarks/wizard.py "provider keys").
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import OptionList

from tests.tui.conftest import settle, wait_until
from tui.widgets import provider_picker
from tui.widgets.provider_picker import ProviderPicker


class PickerApp(App):
    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield ProviderPicker("requesting-provider")


async def _first_search(pilot, picker, keys: str) -> None:
    picker.input.focus()
    for key in keys:
        await pilot.press(key)
    text = picker.text
    await wait_until(pilot, lambda: bool(picker.results) and picker._searched_text == text, f"results for {text}")


async def test_provider_results_are_in_before_the_key_is_painted(seeded, monkeypatch):
    # Every search counts as quick, however loaded the machine running the tests is (how quick
    # a search of the directory is, is the benchmark's business).
    monkeypatch.setattr(provider_picker, "QUICK_SECONDS", 3600.0)
    app = PickerApp(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        picker = app.query_one(ProviderPicker)
        assert not picker.search_is_quick(), "the first search runs in a worker"
        await _first_search(pilot, picker, "fe")
        assert picker.search_is_quick()

        picker.input.insert_text_at_cursor("l")  # as a key does; no await: nothing else runs meanwhile

        assert picker._searched_text == "fel", "results for the new text, before any frame or worker"
        assert [r.value.name for r in picker.results] == ["Feldman, Ruth DO"]
        assert picker.query_one(OptionList).option_count == 1
        await settle(pilot)


async def test_a_slow_search_sends_the_next_key_to_a_worker(seeded, monkeypatch):
    monkeypatch.setattr(provider_picker, "QUICK_SECONDS", 0.0)  # every search counts as slow
    app = PickerApp(seeded)
    async with app.run_test(size=(100, 30)) as pilot:
        picker = app.query_one(ProviderPicker)
        await _first_search(pilot, picker, "fe")
        assert not picker.search_is_quick()

        picker.input.insert_text_at_cursor("l")

        assert picker._searched_text == "fe", "the key's search went to a worker, the handler did not wait for it"
        await wait_until(pilot, lambda: picker._searched_text == "fel", "the worker's results")
        assert [r.value.name for r in picker.results] == ["Feldman, Ruth DO"]
