"""A key in a code field shows its results in the same frame as the typed character.

The code search (about a millisecond once the index is open) runs as the
input's value changes, not in a worker whose answer would come back after the
screen had painted the character alone — the results then waited for the next
frame (issue 7 item 4; benchmarks/wizard.py "code keys").
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import OptionList

from tests.tui.conftest import settle, wait_until
from tui.widgets.code_picker import CodePicker


class PickerApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.picked: list[str] = []

    def on_search_picker_picked(self, message: CodePicker.Picked) -> None:
        self.picked.append(message.value.code)

    def compose(self) -> ComposeResult:
        yield CodePicker("diagnosis", "diagnosis-search")
        yield CodePicker("procedure", "line-code")


async def test_code_results_are_in_before_the_key_is_painted(code_index):
    app = PickerApp()
    async with app.run_test(size=(100, 30)) as pilot:
        for input_id, first, more, expected in (("diagnosis-search", "E1", "1", "E11"),
                                                ("line-code", "J1", "7", "J17")):
            picker = app.query_one(f"#{input_id}-picker", CodePicker)
            picker.input.focus()
            for key in first:  # the first search may load the index (in a worker)
                await pilot.press(key)
            await wait_until(pilot, lambda p=picker, f=first: bool(p.results) and p._searched_text == f,
                             f"results for {first}")

            picker.input.insert_text_at_cursor(more)  # as a key does; no await: nothing else runs meanwhile

            assert picker.results, "results for the new text, before any frame or worker"
            assert all(r.value.code.replace(".", "").startswith(expected) for r in picker.results)
            assert picker.query_one(OptionList).option_count == len(picker.results)
            assert picker.query_one(OptionList).has_class("-shown")
            await settle(pilot)


async def test_typed_code_is_still_picked_with_enter(code_index):
    app = PickerApp()
    async with app.run_test(size=(100, 30)) as pilot:
        picker = app.query_one("#diagnosis-search-picker", CodePicker)
        picker.input.focus()
        for key in "E11.9":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.picked, "the code is picked")
        assert app.picked == ["E11.9"]
