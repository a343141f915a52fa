"""Da Vinci Prior Authorization Support (PAS 2.2.1, FHIR R4): build, check and read Bundles.

* :mod:`store.fhir.terms` — canonical URLs, code systems and AuthDesk's X12 tables.
* :mod:`store.fhir.settings` — the plan's identifiers (``[pas]`` in config.toml).
* :mod:`store.fhir.case_data` — what a request Bundle is built from (read in one session).
* :mod:`store.fhir.datatypes` — small datatype builders (Coding, HumanName …).
* :mod:`store.fhir.request` / :mod:`store.fhir.questionnaires` — a submitted case as a PAS request Bundle.
* :mod:`store.fhir.response` — a PAS response Bundle read into decisions (and built, for tests
  and a payer simulator).
* :mod:`store.fhir.pas_rules` — the profiles' rules as a table; :mod:`store.fhir.rules` — the one
  checker that applies it (path evaluator, invariants).
* :mod:`store.fhir.transport` — where a ``$submit`` to a payer endpoint plugs in.

Resources are built and parsed with ``fhir.resources`` (its R4B models: for the
resources PAS uses they have the same elements as FHIR R4 4.0.1).
"""
