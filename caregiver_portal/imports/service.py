"""Imports as the pages and ``anxin admin`` run them: check a sheet against the site (a plan), keep an
uploaded sheet with its preview (:class:`ImportBatch`), and carry it out on confirmation — all rows or
none, and only if the outcome is still the one the admin saw."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.sheets import SheetError, read_table
from caregiver_portal.core.uow import transactional
from caregiver_portal.imports import residents_rules, snapshot, volunteers_rules
from caregiver_portal.imports.apply import Applied, apply_residents, apply_volunteers
from caregiver_portal.imports.models import IMPORT_KINDS, ImportBatch
from caregiver_portal.imports.outcomes import Plan
from caregiver_portal.roster.service import site_zone

KEEP_BATCHES = timedelta(days=1)
KIND_LABELS = {"residents": "居民", "volunteers": "志愿者和网格员"}


def plan_import(*, session: Session, site: Site, kind: str, data: bytes, filename: str, now: datetime) -> Plan[Any]:
    """Read ``data`` and check every row against what ``site`` holds (nothing is written)."""
    if kind not in IMPORT_KINDS:
        raise InvalidTransition("不认识的导入类型")
    columns = residents_rules.COLUMNS if kind == "residents" else volunteers_rules.COLUMNS
    try:
        table = read_table(data, filename, columns)
    except SheetError as exc:
        raise InvalidTransition(str(exc)) from exc
    grids = set(snapshot.grid_names(session, site.id).values())
    if kind == "residents":
        return residents_rules.plan_residents(table, stored=snapshot.stored_residents(session, site.id), grids=grids,
                                              codes_elsewhere=snapshot.codes_elsewhere(session, site.id))
    return volunteers_rules.plan_volunteers(table, stored=snapshot.stored_users(session, site, now=now), grids=grids,
                                            usernames_elsewhere=snapshot.usernames_elsewhere(session, site.id),
                                            today=now.astimezone(site_zone(site)).date())


def carry_out(*, session: Session, site: Site, kind: str, plan: Plan[Any], hasher: PasswordHasher,
              now: datetime) -> Applied:
    """Write a plan that refuses no row (inside the caller's transaction)."""
    if kind == "residents":
        return apply_residents(session=session, site=site, plan=plan, now=now)
    return apply_volunteers(session=session, site=site, plan=plan, hasher=hasher, now=now)


def plan_document(plan: Plan[Any]) -> dict[str, Any]:
    """What the preview page shows of a plan (JSON): every row's outcome and the sheet-wide notes."""
    return {"outcomes": [{"number": o.number, "action": o.action, "name": o.name, "messages": list(o.messages),
                          "changes": list(o.changes)} for o in plan.outcomes],
            "new_grids": list(plan.new_grids), "ignored_columns": list(plan.ignored_columns),
            "missing_columns": list(plan.missing_columns), "counts": dict(plan.counts)}


@transactional
def preview(*, session: Session, site: Site, kind: str, data: bytes, filename: str, user: User,
            now: datetime) -> ImportBatch:
    """Check an uploaded sheet and keep it with its preview; batches older than a day are deleted."""
    plan = plan_import(session=session, site=site, kind=kind, data=data, filename=filename, now=now)
    session.execute(delete(ImportBatch).where(ImportBatch.created_at < now - KEEP_BATCHES))
    batch = ImportBatch(site_id=site.id, kind=kind, filename=filename[:200], created_by_id=user.id, created_at=now,
                        state="preview", content=data, plan=plan_document(plan))
    session.add(batch)
    session.flush()
    return batch


def batch_for(session: Session, *, batch_id: int, site_ids: set[int] | None, lock: bool = False) -> ImportBatch:
    """A batch of one of ``site_ids`` (None: any site), or :class:`NotFound`; ``lock`` holds it for a change
    (two confirmations of one batch then run one after the other, and the second is refused)."""
    batch = session.get(ImportBatch, batch_id, with_for_update=lock)
    if batch is None or (site_ids is not None and batch.site_id not in site_ids):
        raise NotFound("找不到这次导入（预览只保留一天，请重新上传）")
    return batch


@transactional
def confirm(*, session: Session, batch: ImportBatch, hasher: PasswordHasher, now: datetime) -> Applied | None:
    """Carry out a previewed batch if its outcome is still the one previewed; otherwise store the new
    preview and return None (nothing imported: the admin reads it again)."""
    if batch.state != "preview":
        raise InvalidTransition("这份名单已经导入过了" if batch.state == "applied" else "这次导入已取消")
    site = session.get_one(Site, batch.site_id)
    plan = plan_import(session=session, site=site, kind=batch.kind, data=batch.content, filename=batch.filename,
                       now=now)
    if plan_document(plan) != batch.plan:
        batch.plan = plan_document(plan)
        return None
    applied = carry_out(session=session, site=site, kind=batch.kind, plan=plan, hasher=hasher, now=now)
    batch.state, batch.applied_at = "applied", now
    batch.plan = {**batch.plan, "applied": asdict(applied) | {"passwords": len(applied.passwords)}}
    batch.secrets = applied.passwords or None
    return applied


def take_passwords(*, batch: ImportBatch) -> dict[str, str]:
    """The generated passwords of a batch, once: they are deleted as they are handed out."""
    passwords = dict(batch.secrets or {})
    batch.secrets = None
    return passwords


@transactional
def open_batch(*, session: Session, batch_id: int, site_ids: set[int] | None) -> tuple[ImportBatch, dict[str, str]]:
    """A batch to show, with its generated passwords handed out this once (:func:`take_passwords`)."""
    batch = batch_for(session, batch_id=batch_id, site_ids=site_ids)
    return batch, take_passwords(batch=batch)


def discard(*, batch: ImportBatch) -> None:
    """Drop a previewed batch without importing anything."""
    if batch.state == "preview":
        batch.state = "discarded"
