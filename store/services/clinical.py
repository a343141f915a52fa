"""Clinical documentation rules: which lines need review, their questions, the outcome.

The rules are data (``store/rules/clinical_rules.toml``): code → questions →
criterion. A line whose code has no rule needs no clinical questions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from store.enums import ClinicalOutcome

QUESTION_KINDS = ("yes_no", "choice", "number", "text")
_ID_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def question_field_id(line_index: int, question_id: str) -> str:
    """The wizard's field id for a line's question (``clinical-0-sleep_study``)."""
    return f"clinical-{line_index}-{_ID_UNSAFE.sub('-', str(question_id))}"


@dataclass(frozen=True, slots=True)
class Question:
    """One "Document Clinical" question."""

    id: str
    text: str
    kind: str = "yes_no"
    required: bool = True
    options: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    meets_min: float | None = None
    meets_max: float | None = None

    def is_met(self, answer: str) -> bool:
        """Whether ``answer`` meets this question's criterion (no criterion: any answer)."""
        answer = (answer or "").strip()
        if not answer:
            return False
        if self.kind == "number":
            try:
                value = float(answer)
            except ValueError:
                return False
            return (self.meets_min is None or value >= self.meets_min) and (
                self.meets_max is None or value <= self.meets_max
            )
        return not self.meets or answer.lower() in {m.lower() for m in self.meets}


@dataclass(frozen=True, slots=True)
class Rule:
    """Questions for a set of codes."""

    title: str
    codes: frozenset[str]
    prefixes: tuple[str, ...]
    questions: tuple[Question, ...]
    auto_approve: bool = False  # criteria met → approved (A1) at submission (seed 003)

    def matches(self, code: str) -> bool:
        """Whether this rule covers ``code``."""
        return code in self.codes or any(code.startswith(p) for p in self.prefixes)


def parse_rules(text: str) -> tuple[Rule, ...]:
    """Rules from TOML text; raises ValueError naming the first bad entry."""
    data = tomllib.loads(text)
    rules = []
    for n, raw in enumerate(data.get("rule", []), start=1):
        questions = []
        for q in raw.get("question", []):
            kind = q.get("kind", "yes_no")
            if kind not in QUESTION_KINDS or not q.get("id") or not q.get("text"):
                raise ValueError(f"rule {n} ({raw.get('title', '?')}): bad question {q!r}")
            meets = q.get("meets", ())
            questions.append(Question(
                id=str(q["id"]), text=str(q["text"]), kind=kind, required=bool(q.get("required", True)),
                options=tuple(q.get("options", ("yes", "no") if kind == "yes_no" else ())),
                meets=(meets,) if isinstance(meets, str) else tuple(meets),
                meets_min=q.get("meets_min"), meets_max=q.get("meets_max"),
            ))
        codes = frozenset(str(c).upper() for c in raw.get("codes", ()))
        prefixes = tuple(str(p).upper() for p in raw.get("prefixes", ()))
        if not (codes or prefixes) or not questions:
            raise ValueError(f"rule {n} ({raw.get('title', '?')}) needs codes and questions")
        auto_approve = raw.get("auto_approve", False)
        if not isinstance(auto_approve, bool):
            raise ValueError(f"rule {n} ({raw.get('title', '?')}): auto_approve must be true or false")
        rules.append(Rule(str(raw.get("title", "")), codes, prefixes, tuple(questions), auto_approve))
    return tuple(rules)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The shipped rules."""
    text = resources.files("store").joinpath("rules/clinical_rules.toml").read_text(encoding="utf-8")
    return parse_rules(text)


def rule_for(code: str) -> Rule | None:
    """The rule covering ``code``, if any."""
    code = (code or "").strip().upper()
    return next((r for r in rules() if r.matches(code)), None)


def needs_review(code: str) -> bool:
    """Whether a line with ``code`` has clinical questions to answer."""
    return rule_for(code) is not None


def questions_for(code: str) -> tuple[Question, ...]:
    """The questions for ``code`` (empty when it needs none)."""
    rule = rule_for(code)
    return rule.questions if rule else ()


def unanswered(code: str, answers: dict[str, str]) -> list[Question]:
    """Required questions for ``code`` without an answer."""
    return [q for q in questions_for(code) if q.required and not (answers.get(q.id) or "").strip()]


def auto_approves(code: str, answers: dict[str, str]) -> bool:
    """Whether a line is approved at submission: its rule says ``auto_approve`` and the criteria are met."""
    rule = rule_for(code)
    return rule is not None and rule.auto_approve and evaluate(code, answers) is ClinicalOutcome.CRITERIA_MET


def evaluate(code: str, answers: dict[str, str]) -> ClinicalOutcome:
    """NOT_REQUIRED without a rule; CRITERIA_MET when every answer meets; else REVIEW_REQUIRED."""
    questions = questions_for(code)
    if not questions:
        return ClinicalOutcome.NOT_REQUIRED
    for q in questions:
        answer = answers.get(q.id, "")
        if q.required and not answer:
            return ClinicalOutcome.REVIEW_REQUIRED
        if answer and not q.is_met(answer):
            return ClinicalOutcome.REVIEW_REQUIRED
    return ClinicalOutcome.CRITERIA_MET
