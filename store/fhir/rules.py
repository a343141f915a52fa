"""The checker of the PAS 2.2.1 profiles' rules: a rule row, a path evaluator, the invariants.

Each :class:`Rule` says, for every node a context selects, how many values a
path may have (min..max), and what each value must be: a fixed value or
pattern, a required binding (code systems, and codes where the guide lists
them), or a text pattern (the guide's ``FullDateRule``). ``source`` points at
the line of ``shared/pas/*.fsh`` (or the US Core 7.0.0 parent profile) the
rule comes from. The tables are in :mod:`store.fhir.pas_rules`
(``REQUEST_RULES``, ``RESPONSE_RULES``); the functions here hold the
guide's invariants that a table row cannot say (``ClaimFirst``,
``self-beneficiary``, ``ImmediateLevelOfCare``) plus Bundle-wide checks:
every reference resolves to an entry, every extension URL is one the guide
defines, full URLs are unique, item sequence pointers point at something.

Paths are dotted FHIR element names with a few functions:
``extension(URL)`` (extensions with that url), ``name[x]`` (a choice
element), ``name(CODE)`` (elements whose ``category`` or ``type`` has that
code: a slice), ``resolve()`` (a reference's entry in the Bundle),
``is(Type)`` (resources of that type) and ``first()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from store.fhir import terms as t

FULL_DATE = r"^\d{4}-\d{2}-\d{2}$"
_CHOICE_KEY = re.compile(r"^[a-z][A-Za-z]*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a profile: in each ``where`` node, ``path`` has ``min``..``max`` values that obey."""

    where: str
    path: str
    min: int = 0
    max: int | None = None  # None: unbounded
    fixed: object = None  # a value, or a dict pattern each value must contain
    systems: frozenset[str] = frozenset()  # required binding: a coding in one of these systems
    codes: frozenset[str] = frozenset()  # ... with one of these codes (when the guide lists them)
    pattern: str | None = None  # each value (text) must match
    source: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule a Bundle breaks, where, and the rule's source."""

    location: str
    message: str
    source: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.source}]"


def R(where: str, path: str, card: str = "0..*", *, fixed: object = None, systems=(), codes=(),
      pattern: str | None = None, source: str) -> Rule:
    """A rule from FSH-like cardinality text (``"1..1"``, ``"0..*"``)."""
    low, high = card.split("..")
    return Rule(where, path, int(low), None if high == "*" else int(high), fixed, frozenset(systems),
                frozenset(codes), pattern, source)


# --- the path evaluator ----------------------------------------------------------------------


class BundleIndex:
    """A Bundle indexed by full URL, for ``resolve()`` (what rules and invariants evaluate against)."""

    def __init__(self, bundle: dict) -> None:
        self.bundle = bundle
        self.by_url = {e.get("fullUrl"): e.get("resource") for e in bundle.get("entry", []) if isinstance(e, dict)}


def _split(path: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in path:
        if char == "." and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    if current:
        parts.append(current)
    return parts


def _children(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _has_code(element: dict, code: str) -> bool:
    for key in ("category", "type"):
        for cc in _children(element.get(key)):
            if isinstance(cc, dict) and any(c.get("code") == code for c in cc.get("coding", [])):
                return True
    return False


def _step(ctx: BundleIndex, nodes: list[tuple[str, object]], segment: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    name, _, arg = segment.partition("(")
    arg = arg[:-1] if arg.endswith(")") else arg
    for location, node in nodes:
        if segment == "first()":
            out.extend([(location, node)][:1])
            continue
        if segment == "resolve()":
            if isinstance(node, dict) and node.get("reference") in ctx.by_url:
                out.append((node["reference"], ctx.by_url[node["reference"]]))
            continue
        if name == "is":
            if isinstance(node, dict) and node.get("resourceType") == arg:
                out.append((location, node))
            continue
        if not isinstance(node, dict):
            continue
        if name.endswith("[x]"):
            stem = name[:-3]
            for key, value in node.items():
                if key.startswith(stem) and key[len(stem):][:1].isupper():
                    out.extend((f"{location}.{key}", v) for v in _children(value))
            continue
        values = _children(node.get(name))
        indexed = [(f"{location}.{name}[{i}]" if len(values) > 1 else f"{location}.{name}", v)
                   for i, v in enumerate(values)]
        if arg and name == "extension":
            indexed = [(loc, v) for loc, v in indexed if isinstance(v, dict) and v.get("url") == arg]
        elif arg:
            indexed = [(loc, v) for loc, v in indexed if isinstance(v, dict) and _has_code(v, arg)]
        out.extend(indexed)
    # "first()" applies to the whole list, not per node
    return out[:1] if segment == "first()" else out


def evaluate(ctx: BundleIndex, nodes: list[tuple[str, object]], path: str) -> list[tuple[str, object]]:
    """The values ``path`` selects from ``nodes`` (each with its location)."""
    for segment in _split(path):
        nodes = _step(ctx, nodes, segment)
    return nodes


def contexts(ctx: BundleIndex, where: str) -> list[tuple[str, object]]:
    head, _, rest = where.partition(".")
    if head == "Bundle":
        roots = [("Bundle", ctx.bundle)]
    else:
        roots = [(f"{head}/{r.get('id', '?')}", r) for r in ctx.by_url.values()
                 if isinstance(r, dict) and r.get("resourceType") == head]
    return evaluate(ctx, roots, rest) if rest else roots


def _matches(value, pattern) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(_matches(value.get(k), v) for k, v in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(_matches(v, p) for v in value) for p in pattern)
    return value == pattern


def _bound(value, systems: frozenset[str], codes: frozenset[str]) -> bool:
    if isinstance(value, str):
        return not codes or value in codes
    if not isinstance(value, dict):
        return False
    codings = value.get("coding", []) if "coding" in value else [value]
    return any((not systems or c.get("system") in systems) and (not codes or c.get("code") in codes) and c.get("code")
               for c in codings if isinstance(c, dict))


def _check_rule(ctx: BundleIndex, rule: Rule) -> Iterator[Problem]:
    for location, node in contexts(ctx, rule.where):
        values = evaluate(ctx, [(location, node)], rule.path) if rule.path else [(location, node)]
        where = f"{location}.{rule.path}" if rule.path else location
        count = len(values)
        if count < rule.min or (rule.max is not None and count > rule.max):
            card = f"{rule.min}..{'*' if rule.max is None else rule.max}"
            yield Problem(where, f"has {count} value(s); the profile allows {card}", rule.source)
        for value_location, value in values:
            if rule.fixed is not None and not _matches(value, rule.fixed):
                yield Problem(value_location, f"is {value!r}; the profile fixes {rule.fixed!r}", rule.source)
            if (rule.systems or rule.codes) and not _bound(value, rule.systems, rule.codes):
                allowed = ", ".join(sorted(rule.codes)) or ", ".join(sorted(rule.systems))
                yield Problem(value_location, f"is not from the required binding ({allowed})", rule.source)
            if rule.pattern and not (isinstance(value, str) and re.match(rule.pattern, value)):
                yield Problem(value_location, f"{value!r} does not match {rule.pattern}", rule.source)


# --- Bundle-wide checks ----------------------------------------------------------------------


def _walk(value, location: str) -> Iterator[tuple[str, dict]]:
    if isinstance(value, dict):
        yield location, value
        for key, child in value.items():
            yield from _walk(child, f"{location}.{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _walk(child, f"{location}[{i}]")


def references_resolve(ctx: BundleIndex) -> Iterator[Problem]:
    """Every ``Reference.reference`` names an entry of the Bundle (PAS Bundles are self-contained)."""
    for location, node in _walk(ctx.bundle, "Bundle"):
        reference = node.get("reference")
        if isinstance(reference, str) and reference not in ctx.by_url:
            yield Problem(location, f"reference {reference} resolves to no entry", "Bundle.fsh: a PAS Bundle "
                          "carries the resources its Claim references")


def references_resolve_but_request(ctx: BundleIndex) -> Iterator[Problem]:
    """In a response, every reference resolves except ``ClaimResponse.request`` (the provider holds the Claim)."""
    requests = {(r.get("request") or {}).get("reference") for _, r in contexts(ctx, "ClaimResponse")}
    for problem in references_resolve(ctx):
        if not any(problem.message.startswith(f"reference {url} ") for url in requests if url):
            yield problem


def extension_urls_known(ctx: BundleIndex) -> Iterator[Problem]:
    """Every extension URL is one the guide (or FHIR) defines and AuthDesk knows: no typos ship."""
    for location, node in _walk(ctx.bundle, "Bundle"):
        for ext in _children(node.get("extension")):
            if isinstance(ext, dict) and ext.get("url") not in t.KNOWN_EXTENSION_URLS:
                yield Problem(location, f"unknown extension url {ext.get('url')!r}", "Claim.fsh, ClaimResponse.fsh, "
                              "Claim-update.fsh: extension ids")


def full_urls_unique(ctx: BundleIndex) -> Iterator[Problem]:
    """No two entries share a full URL (else a reference is ambiguous)."""
    urls = [e.get("fullUrl") for e in ctx.bundle.get("entry", [])]
    for url in {u for u in urls if urls.count(u) > 1}:
        yield Problem("Bundle.entry", f"full URL {url} appears twice", "FHIR Bundle: bdl-7")


def claim_first(ctx: BundleIndex) -> Iterator[Problem]:
    """Bundle.fsh invariant ClaimFirst: ``entry.first().resource is Claim``."""
    entries = ctx.bundle.get("entry") or [{}]
    if (entries[0].get("resource") or {}).get("resourceType") != "Claim":
        yield Problem("Bundle.entry[0]", "is not the Claim", "Bundle.fsh: Invariant ClaimFirst")


def claim_response_first(ctx: BundleIndex) -> Iterator[Problem]:
    """Bundle.fsh invariant ClaimResponseFirst."""
    entries = ctx.bundle.get("entry") or [{}]
    if (entries[0].get("resource") or {}).get("resourceType") != "ClaimResponse":
        yield Problem("Bundle.entry[0]", "is not the ClaimResponse", "Bundle.fsh: Invariant ClaimResponseFirst")


def self_beneficiary(ctx: BundleIndex) -> Iterator[Problem]:
    """Coverage.fsh invariant self-beneficiary: not X12 18 (self) implies a subscriber."""
    for location, coverage in contexts(ctx, "Coverage"):
        codes = [c.get("code") for c in (coverage.get("relationship") or {}).get("coding", [])]
        if "18" not in codes and not coverage.get("subscriber"):
            yield Problem(location, "relationship is not self (18) and there is no subscriber",
                          "Coverage.fsh: Invariant self-beneficiary")


def immediate_level_of_care(ctx: BundleIndex) -> Iterator[Problem]:
    """Claim.fsh invariant ImmediateLevelOfCare: certification type 1 (immediate appeal) needs a level of service."""
    for location, claim in contexts(ctx, "Claim"):
        has_level = bool(evaluate(ctx, [(location, claim)], f"extension({t.EXT_LEVEL_OF_SERVICE})"))
        for item_location, item in evaluate(ctx, [(location, claim)], "item"):
            certifications = evaluate(ctx, [(item_location, item)],
                                      f"extension({t.EXT_CERTIFICATION_TYPE}).valueCodeableConcept.coding.code")
            if any(code == "1" for _, code in certifications) and not has_level:
                yield Problem(item_location, "an immediate appeal without a level of service",
                              "Claim.fsh: Invariant ImmediateLevelOfCare")


def item_pointers(ctx: BundleIndex) -> Iterator[Problem]:
    """item.careTeamSequence / diagnosisSequence / informationSequence point at existing entries."""
    pairs = (("careTeamSequence", "careTeam"), ("diagnosisSequence", "diagnosis"),
             ("informationSequence", "supportingInfo"))
    for location, claim in contexts(ctx, "Claim"):
        for pointer, target in pairs:
            known = {entry.get("sequence") for entry in claim.get(target, [])}
            for item in claim.get("item", []):
                for number in item.get(pointer, []):
                    if number not in known:
                        yield Problem(f"{location}.item[{item.get('sequence')}].{pointer}",
                                      f"{number} names no {target} entry", "FHIR Claim: item sequence pointers")


def us_core_name(ctx: BundleIndex) -> Iterator[Problem]:
    """US Core Patient us-core-6: each name has a family or a given name."""
    for location, patient in contexts(ctx, "Patient"):
        for name in patient.get("name", []):
            if not (name.get("family") or name.get("given")):
                yield Problem(location, "a name without family or given", "US Core Patient 7.0.0: us-core-6")


Invariant = Callable[[BundleIndex], Iterator[Problem]]


def check(bundle: dict, rules: tuple[Rule, ...], invariants: tuple[Invariant, ...]) -> list[Problem]:
    """Every problem ``bundle`` has against ``rules`` and ``invariants`` (empty: conformant)."""
    ctx = BundleIndex(bundle)
    problems: list[Problem] = []
    for rule in rules:
        problems.extend(_check_rule(ctx, rule))
    for invariant in invariants:
        problems.extend(invariant(ctx))
    return problems


__all__ = [
    "BundleIndex",
    "Invariant",
    "Problem",
    "R",
    "Rule",
    "check",
    "evaluate",
]
