"""Where a live exchange with a payer plugs in: ``$submit`` and ``$inquire`` (ClaimOperation.fsh).

AuthDesk has no network here. A transport is anything with these two
methods; :func:`store.services.fhir_import.submit_to_payer` exports a case,
hands the Bundle to ``transport.submit`` and applies the response Bundle it
returns exactly as an imported file (same checks, same idempotence). A real
transport (HTTP POST of the Bundle to ``[base]/Claim/$submit`` with the
plan's OAuth token, returning the response Bundle or raising on an
OperationOutcome) is one class implementing :class:`PasTransport`.
"""

from __future__ import annotations

from typing import Protocol

from store.errors import StoreError


class TransportError(StoreError):
    """The payer could not be reached or refused the exchange (one line for the user)."""


class PasTransport(Protocol):
    """A way to exchange PAS Bundles with a payer."""

    def submit(self, request_bundle: dict) -> dict:
        """``Claim/$submit``: send a PAS request Bundle, return the PAS response Bundle."""
        ...

    def inquire(self, inquiry_bundle: dict) -> list[dict]:
        """``Claim/$inquire``: send a PAS inquiry Bundle, return the inquiry response Bundles."""
        ...


class NoTransport:
    """The transport of an AuthDesk without a payer endpoint: every exchange says so."""

    MESSAGE = ("No payer endpoint is configured: export the request (authdesk export pas) and import the "
               "payer's response (authdesk import decisions).")

    def submit(self, request_bundle: dict) -> dict:
        """Refuse: there is no endpoint."""
        raise TransportError(self.MESSAGE)

    def inquire(self, inquiry_bundle: dict) -> list[dict]:
        """Refuse: there is no endpoint."""
        raise TransportError(self.MESSAGE)


__all__ = ["NoTransport", "PasTransport", "TransportError"]
