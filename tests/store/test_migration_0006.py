"""Migration 0006 (PAS): upgrades a database that holds data, and goes back down, on both backends."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect, text

from store.migrate import alembic_config


def test_0006_upgrades_a_database_holding_data_and_downgrades(store):
    config = alembic_config(store.engine)
    command.downgrade(config, "0002")
    assert "pas_response" not in inspect(store.engine).get_table_names()
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (code, name, created_at) VALUES ('N', 'North', '2026-03-01')"))
        conn.execute(text(
            "INSERT INTO auth_request (kind, status, version, draft_number, member_id_entered, medicaid_id_entered,"
            " member_name, category, treatment_type, place_of_service, admitted_via_er, mother_member_id,"
            " delivery_type, nicu, urgency, requested_urgency, expedited_reasons, benefits_reference, contact_name,"
            " contact_phone, contact_phone_ext, contact_fax, contact_email, wizard_step, form_state, reject_reason,"
            " search_text, created_at, updated_at) VALUES ('service', 'pending', 1, 'D-000001', 'M1', '', 'A, B',"
            " '', '', '', false, '', '', false, 'standard', 'standard', '[]', '', '', '', '', '', '', 0, '{}', '',"
            " '', '2026-03-01', '2026-03-01')"))
        conn.execute(text(
            "INSERT INTO service_line (request_id, line_number, code, code_type, description, modifier, status,"
            " decision_reason, was_pended, clinical_outcome, clinical_answers, requested_units, from_date)"
            " VALUES (1, 1, '73721', 'CPT', '', 'RT', 'A1', '', false, 'not_required', '{}', 1, :day)"),
            {"day": date(2026, 3, 10)})
    command.upgrade(config, "head")
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT code, modifier, status, authorized_code FROM service_line")).one()
        assert tuple(row) == ("73721", "RT", "A1", None)
        assert conn.execute(text("SELECT count(*) FROM pas_response")).scalar_one() == 0
    command.downgrade(config, "0002")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM service_line")).scalar_one() == "73721"
    assert "authorized_code" not in {c["name"] for c in inspect(store.engine).get_columns("service_line")}
    command.upgrade(config, "head")
