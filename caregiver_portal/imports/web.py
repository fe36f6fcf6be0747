"""The import pages: upload a sheet, see what happens to every row, confirm or drop it; download a blank
sheet to fill in, or what the site holds in the same columns."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from caregiver_portal.accounts import admin as admin_service
from caregiver_portal.accounts.deps import AdminUser
from caregiver_portal.accounts.models import User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.csrf import require_csrf
from caregiver_portal.core.deps import SessionDep, StateDep
from caregiver_portal.core.errors import NotFound, PortalError
from caregiver_portal.core.schemas import PlainText
from caregiver_portal.core.sheets import MAX_BYTES, MAX_ROWS, XLSX_MEDIA_TYPE, write_xlsx
from caregiver_portal.core.web import attempt, flash, redirect, render
from caregiver_portal.imports import residents_rules, service, snapshot, volunteers_rules
from caregiver_portal.imports.models import IMPORT_KINDS, ImportBatch
from caregiver_portal.imports.outcomes import ACTION_LABELS

UPLOAD_PREFIX = "/admin/imports"
router = APIRouter(include_in_schema=False)
CSRF = [Depends(require_csrf)]
HELP = {
    "residents": (("姓名", "必填"), ("楼栋/房间", "必填，如 3号楼201"), ("电话", "手机 11 位，座机带区号"),
                  ("紧急联系人及电话", "如 女儿 王小红 13800000201；几位联系人用 ； 分开"),
                  ("网格", "没有的网格会自动新建"), ("健康数据授权", "是 / 否，还没问过就留空"),
                  ("居民码", "留空则自动编号；再次导入时按居民码更新")),
    "volunteers": (("姓名", "必填"), ("电话", "必填，值班的人必须能打通"), ("角色", "志愿者 或 网格员，默认志愿者"),
                   ("网格", "几个网格用 、 分开；留空 = 整个站点"),
                   ("值班时间", "如 周一至周五 08:00-18:00；周六 全天。留空 = 每天全天"),
                   ("请假", "如 2026-12-24至2026-12-26"), ("用户名", "留空则用电话号码"),
                   ("初始密码", "至少 8 位；留空则自动生成，导入后只显示一次")),
}


def _site_ids(session: SessionDep, user: User) -> set[int]:
    return {site.id for site in admin_service.managed_sites(session, admin=user)}


@router.get("/admin/imports")
def imports_page(request: Request, user: AdminUser, session: SessionDep, kind: str = "residents") -> Response:
    """Upload forms for residents and volunteers, with blank sheets and exports to download."""
    sites = admin_service.managed_sites(session, admin=user)
    recent = list(session.scalars(select(ImportBatch).where(ImportBatch.site_id.in_([s.id for s in sites]))
                                  .order_by(ImportBatch.created_at.desc()).limit(10)))
    return render(request, "imports.html", user, sites=sites, kind=kind if kind in IMPORT_KINDS else "residents",
                  help=HELP, kinds=service.KIND_LABELS, recent=recent, max_mb=MAX_BYTES // 1024 // 1024,
                  max_rows=MAX_ROWS)


@router.post(UPLOAD_PREFIX, dependencies=CSRF)
def upload(request: Request, user: AdminUser, session: SessionDep, kind: Annotated[PlainText, Form()],
           site_id: Annotated[int, Form()], sheet: Annotated[UploadFile, File()]) -> Response:
    """Check an uploaded sheet and show the preview (nothing is imported yet)."""
    try:
        site = admin_service.managed_site(session, admin=user, site_id=site_id)
        batch = service.preview(session=session, site=site, kind=kind, data=sheet.file.read(),
                                filename=sheet.filename or "", user=user, now=utcnow())
    except PortalError as exc:
        flash(request, f"“{sheet.filename}”没有导入：{exc}", "error")
        return redirect(f"/admin/imports?kind={kind}")
    return redirect(f"/admin/imports/{batch.id}")


@router.get("/admin/imports/{batch_id}")
def batch_page(request: Request, batch_id: int, user: AdminUser, session: SessionDep, show: str = "") -> Response:
    """Every row's outcome before confirmation; after it, what was done (and new passwords, once)."""
    batch, passwords = service.open_batch(session=session, batch_id=batch_id, site_ids=_site_ids(session, user))
    outcomes = batch.plan["outcomes"]
    if show == "problems":
        outcomes = [o for o in outcomes if o["action"] in ("error", "update") or o["messages"]]
    response = render(request, "import_batch.html", user, batch=batch, plan=batch.plan, outcomes=outcomes,
                      passwords=passwords, show=show, labels=ACTION_LABELS, kinds=service.KIND_LABELS)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/imports/{batch_id}/confirm", dependencies=CSRF)
def confirm(request: Request, batch_id: int, user: AdminUser, session: SessionDep, state: StateDep) -> Response:
    """Import every row of a previewed sheet, or none."""
    then = f"/admin/imports/{batch_id}"
    try:
        batch = service.batch_for(session, batch_id=batch_id, site_ids=_site_ids(session, user), lock=True)
        done = service.confirm(session=session, batch=batch, hasher=state.hasher, now=utcnow())
    except PortalError as exc:
        flash(request, str(exc), "error")
        return redirect(then)
    if done is None:
        flash(request, "预览之后系统里的数据有了变化，已重新检查：请再看一遍每一行，然后再确认", "error")
    else:
        flash(request, f"已导入：新建 {done.created}，更新 {done.updated}，不变 {done.unchanged}")
    return redirect(then)


@router.post("/admin/imports/{batch_id}/discard", dependencies=CSRF)
def discard(request: Request, batch_id: int, user: AdminUser, session: SessionDep) -> Response:
    """Drop a preview without importing anything."""
    return attempt(request, session, lambda: service.discard(batch=service.batch_for(
        session, batch_id=batch_id, site_ids=_site_ids(session, user))), done="已放弃这次导入，没有导入任何数据",
        then="/admin/imports")


@router.get("/admin/sheets/{kind}/blank.xlsx")
def blank_sheet(kind: str, user: AdminUser) -> Response:
    """An empty sheet with the import's columns, ready to fill in."""
    if kind not in IMPORT_KINDS:
        raise NotFound("没有这种名单")
    titles = residents_rules.TITLES if kind == "residents" else volunteers_rules.TITLES
    return _xlsx(write_xlsx(service.KIND_LABELS[kind], titles, []), f"{service.KIND_LABELS[kind]}名单（空白）.xlsx")


@router.get("/admin/sheets/{kind}/export.xlsx")
def export_sheet(kind: str, user: AdminUser, session: SessionDep, site_id: int) -> Response:
    """What the site holds, in the import's columns (an exported sheet imports back unchanged)."""
    site = admin_service.managed_site(session, admin=user, site_id=site_id)
    if kind == "residents":
        data = snapshot.export_residents(session, site)
    elif kind == "volunteers":
        data = snapshot.export_volunteers(session, site, now=utcnow())
    else:
        raise NotFound("没有这种名单")
    return _xlsx(data, f"{site.name}{service.KIND_LABELS[kind]}名单.xlsx")


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"sheet.xlsx\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})
