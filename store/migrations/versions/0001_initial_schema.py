"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_setting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('medicaid_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('first_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('last_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_last_name'), ['last_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_medicaid_id'), ['medicaid_id'], unique=False)

    op.create_table('number_sequence',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('phone_ext', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('fax', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('reset_code_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('reset_code_expires', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_organization_id'), ['organization_id'], unique=False)

    op.create_table('coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_pk', sa.Integer(), nullable=False),
    sa.Column('plan_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('group_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('order', sa.String(length=12), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.create_index('ix_coverage_member_dates', ['member_pk', 'start_date'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('npi', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('provider_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('specialty', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('is_facility', sa.Boolean(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('fax', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('npi'),
    sa.UniqueConstraint('provider_number')
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_organization_id'), ['organization_id'], unique=False)

    op.create_table('auth_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('draft_number', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('webcert_number', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('auth_number', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('member_pk', sa.Integer(), nullable=True),
    sa.Column('member_id_entered', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('medicaid_id_entered', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('member_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=True),
    sa.Column('requesting_provider_id', sa.Integer(), nullable=True),
    sa.Column('servicing_provider_id', sa.Integer(), nullable=True),
    sa.Column('facility_provider_id', sa.Integer(), nullable=True),
    sa.Column('care_setting', sa.String(length=12), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('treatment_type', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('place_of_service', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('admitted_via_er', sa.Boolean(), nullable=False),
    sa.Column('admission_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mother_member_id', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=True),
    sa.Column('delivery_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('birth_weight_grams', sa.Integer(), nullable=True),
    sa.Column('nicu', sa.Boolean(), nullable=False),
    sa.Column('urgency', sa.String(length=12), nullable=False),
    sa.Column('requested_urgency', sa.String(length=12), nullable=False),
    sa.Column('expedited_reasons', sa.JSON(), nullable=False),
    sa.Column('benefits_reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('contact_phone_ext', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('contact_fax', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('wizard_step', sa.Integer(), nullable=False),
    sa.Column('form_state', sa.JSON(), nullable=False),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_due_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expiry_reminder_queued_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expired_notice_queued_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['coverage_id'], ['coverage.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['facility_provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['member_pk'], ['member.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['requesting_provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['servicing_provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('auth_number'),
    sa.UniqueConstraint('draft_number'),
    sa.UniqueConstraint('webcert_number')
    )
    with op.batch_alter_table('auth_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_request_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_request_member_pk', ['member_pk'], unique=False)
        batch_op.create_index('ix_request_status_due', ['status', 'decision_due_at'], unique=False)
        batch_op.create_index('ix_request_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_request_status_updated', ['status', 'updated_at'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('stored_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('added_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_request_at', ['request_id', 'at'], unique=False)

    op.create_table('diagnosis_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosis_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_line_request_id'), ['request_id'], unique=False)

    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('mail_kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key', name='uq_outbox_dedupe_key')
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mail_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_outbox_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('request_organization',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'organization_id')
    )
    with op.batch_alter_table('request_organization', schema=None) as batch_op:
        batch_op.create_index('ix_request_org_org_request', ['organization_id', 'request_id'], unique=False)

    op.create_table('service_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('code_type', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('modifier', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('requested_units', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('authorized_units', sa.Integer(), nullable=True),
    sa.Column('authorized_from', sa.Date(), nullable=True),
    sa.Column('authorized_to', sa.Date(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decided_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('was_pended', sa.Boolean(), nullable=False),
    sa.Column('clinical_outcome', sa.String(length=20), nullable=False),
    sa.Column('clinical_answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['auth_request.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_line', schema=None) as batch_op:
        batch_op.create_index('ix_service_line_code', ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_line_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_line_request_id'))
        batch_op.drop_index('ix_service_line_code')

    op.drop_table('service_line')
    with op.batch_alter_table('request_organization', schema=None) as batch_op:
        batch_op.drop_index('ix_request_org_org_request')

    op.drop_table('request_organization')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_mail_request_id'))

    op.drop_table('outbox_mail')
    with op.batch_alter_table('diagnosis_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_line_request_id'))

    op.drop_table('diagnosis_line')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index('ix_case_event_request_at')

    op.drop_table('case_event')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_request_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('auth_request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_status_updated')
        batch_op.drop_index('ix_request_status_expires')
        batch_op.drop_index('ix_request_status_due')
        batch_op.drop_index('ix_request_member_pk')
        batch_op.drop_index(batch_op.f('ix_auth_request_organization_id'))

    op.drop_table('auth_request')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_organization_id'))
        batch_op.drop_index(batch_op.f('ix_provider_name'))

    op.drop_table('provider')
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_member_dates')

    op.drop_table('coverage')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_organization_id'))

    op.drop_table('app_user')
    op.drop_table('organization')
    op.drop_table('number_sequence')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_medicaid_id'))
        batch_op.drop_index(batch_op.f('ix_member_last_name'))

    op.drop_table('member')
    op.drop_table('app_setting')
