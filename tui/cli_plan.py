"""``authdesk plan-contacts``: show or set the plan's contacts (phones, hours, clinicals fax, address)."""

from __future__ import annotations

OPTIONS = (
    ("team", "--team", "who answers, e.g. 'CMSI intake team'"),
    ("intake_phones", "--intake-phones", "comma-separated intake phone numbers"),
    ("intake_hours", "--hours", "intake hours, e.g. 'Monday to Friday, 8:00 AM to 4:30 PM CST'"),
    ("portal_phones", "--portal-phones", "comma-separated numbers for questions about a submission"),
    ("clinical_fax", "--fax", "fax number for clinical information"),
    ("mailing_address", "--address", "mailing address"),
)


def add_plan_contacts_parser(sub) -> None:
    """The ``plan-contacts`` subcommand."""
    parser = sub.add_parser("plan-contacts", help="show or set the plan's phones, hours and clinicals fax")
    for dest, flag, help_text in OPTIONS:
        parser.add_argument(flag, dest=dest, default=None, help=help_text)


def run_plan_contacts(args, store, command_error) -> int:
    """Print the contacts; with options, change those fields first (others are kept)."""
    from dataclasses import asdict

    from store.errors import ValidationError
    from store.services.plan_contacts import clean_plan_contacts, load_plan_contacts, save_plan_contacts

    with store.session() as session:
        current = load_plan_contacts(session)
        given = {dest: getattr(args, dest) for dest, _, _ in OPTIONS if getattr(args, dest) is not None}
        if given:
            values = {k: (", ".join(v) if isinstance(v, tuple) else v) for k, v in asdict(current).items()}
            values.update(given)
            try:
                current = save_plan_contacts(session, None, clean_plan_contacts(**values))
            except ValidationError as exc:
                flags = {dest.replace("_", "-"): flag for dest, flag, _ in OPTIONS}
                raise command_error("; ".join(f"{flags.get(f, f)}: {m}" for f, m in exc.errors.items())) from None
    lines = current.lines()
    print("\n".join(lines) if lines else "The plan's contacts are not set (see authdesk plan-contacts --help).")
    return 0
