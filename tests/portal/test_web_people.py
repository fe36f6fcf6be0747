"""People pages in Debian's Chromium on a 360x740 phone and a 1366x900 desktop: a resident sheet previewed
row by row (errors in Chinese, nothing imported until every row is right), bad files answered plainly, and
the roster showing whom an SOS would call, in red when a grid has nobody on call."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import LivePortal
from tests.support.sheets import RESIDENT_HEADER, xlsx
from tests.support.web import PHONE, VIEWPORTS, open_page, serious_accessibility_violations, shared_live_portal, shoot

pytestmark = pytest.mark.browser
web_portal = shared_live_portal()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RED = "rgb(168, 0, 28)"  # --red in style.css


def upload(page: Any, portal: LivePortal, name: str, data: bytes) -> None:
    page.goto(f"{portal.url}/admin/imports?kind=residents")
    page.set_input_files("#sheet", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.click("#upload button[type=submit]")


def fits(page: Any, viewport: dict[str, int]) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert serious_accessibility_violations(page) == []


def residents(tag: str, *, bad_phone: str = "") -> bytes:
    rows = [(f"{tag}居民{i}", f"9号楼{tag}{i}", f"1390000{i:04d}", f"女儿 小{i} 1370000{i:04d}", "第三网格", "是",
             f"{tag}{i:03d}") for i in range(1, 6)]
    if bad_phone:
        rows[2] = rows[2][:2] + (bad_phone,) + rows[2][3:]
    return xlsx([RESIDENT_HEADER, *rows])


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_sheet_is_previewed_row_by_row_and_imported_only_when_every_row_is_right(
        web_portal: LivePortal, chromium: Any, viewport: dict[str, int]) -> None:
    tag = "P" if viewport == PHONE else "D"
    page = open_page(chromium, web_portal, "admin", "anxin-admin", viewport)
    upload(page, web_portal, "居民名单.xlsx", residents(tag, bad_phone="1380000"))
    assert page.inner_text("#summary") == "共 5 行：新建 4，更新 0，不变 0，有错误 1"
    bad = page.locator('#rows tr[data-row="4"]')
    assert bad.get_attribute("data-action") == "error"
    assert "「电话」“1380000”位数不对" in bad.inner_text()
    assert "整张表都不会导入" in page.inner_text("#blocked")
    assert page.locator("#confirm").count() == 0
    fits(page, viewport)
    shoot(page, web_portal, f"admin-import-errors-{'phone' if viewport == PHONE else 'desktop'}")

    upload(page, web_portal, "居民名单（改好）.xlsx", residents(tag))
    assert page.inner_text("#summary") == "共 5 行：新建 5，更新 0，不变 0"
    assert page.locator('#rows tr[data-action="create"]').count() == 5
    fits(page, viewport)
    shoot(page, web_portal, f"admin-import-preview-{'phone' if viewport == PHONE else 'desktop'}")
    page.click("#confirm button")
    assert page.inner_text(".flash") == "已导入：新建 5，更新 0，不变 0"
    page.reload()  # the answer came by redirect: reloading imports nothing twice
    assert page.locator("#confirm").count() == 0 and "已导入" in page.inner_text("h1")
    page.goto(f"{web_portal.url}/residents?q={tag}居民")
    assert page.locator("#residents tbody tr").count() == 5

    upload(page, web_portal, "再导一次.xlsx", residents(tag))
    assert page.inner_text("#summary") == "共 5 行：新建 0，更新 0，不变 5"
    page.context.close()


def test_files_that_are_not_a_resident_list_are_answered_in_chinese(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", PHONE)
    answers = {}
    for name, data in (("大文件.xlsx", b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024)), ("空表.xlsx", xlsx([])),
                       ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512),
                       ("名字不对.xlsx", xlsx([("名字", "门牌号码"), ("王秀英", "201")]))):
        upload(page, web_portal, name, data)
        assert page.url.endswith("/admin/imports?kind=residents")
        answers[name] = page.inner_text(".flash-error")
    assert answers == {name: f"“{name}”没有导入：{reason}" for name, reason in (
        ("大文件.xlsx", "文件有 6.0 MB，超过 5 MB 的上限：请只保留名单这一张表（删除图片和其他工作表），"
                       "另存为 .xlsx 或 .csv 后再上传"),
        ("空表.xlsx", "表格里没有内容：第一个工作表是空的"),
        ("旧表.xls", "这是旧版 Excel 文件（.xls）：请在 Excel 里“另存为” Excel 工作簿（.xlsx）后再上传"),
        ("名字不对.xlsx", "找不到表头：表格第一行应是列名 姓名、楼栋/房间、电话、紧急联系人及电话、网格、"
                          "健康数据授权、居民码"),
    )}
    rows = [RESIDENT_HEADER, ("合并甲", "1-1", "", "", "第一网格"), ("合并乙", "1-2", "", "", None),
            ("日期丙", date(2026, 3, 5), "", "", "第一网格")]
    upload(page, web_portal, "合并和日期.xlsx", xlsx(rows, merges=["E2:E3"]))
    assert page.inner_text('#rows tr[data-row="3"]').count("合并单元格 E2:E3") == 1
    assert "被 Excel 当成了日期（2026-03-05）" in page.inner_text('#rows tr[data-row="4"]')
    page.context.close()


def color(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "element => getComputedStyle(element).color"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_roster_shows_whom_an_sos_calls_and_warns_in_red(web_portal: LivePortal, chromium: Any,
                                                             viewport: dict[str, int]) -> None:
    tag = "手机" if viewport == PHONE else "电脑"
    page = open_page(chromium, web_portal, "admin", "anxin-admin", viewport)
    page.goto(f"{web_portal.url}/admin/users")
    page.fill("#username", f"night-{viewport['width']}")
    page.fill("#display_name", f"{tag}夜班")
    page.select_option("#role", "volunteer")
    page.fill("#new-phone", f"139 0000 {viewport['width']:04d}")
    page.fill("#password", "password-123")
    page.click("#new-user button[type=submit]")
    card = page.locator(f'[data-username="night-{viewport["width"]}"]')
    card.get_by_label("第二网格").check()
    card.get_by_role("button", name="保存网格").click()

    page.goto(f"{web_portal.url}/admin/roster")
    second = page.locator('.roster [data-grid="第二网格"]')
    assert "有人值班" in second.locator(".card-title").inner_text()
    assert f"{tag}夜班" in second.locator(".ladder li").first.inner_text()  # step 1 calls them now
    first = page.locator('.roster [data-grid="第一网格"]')
    assert "⚠ 现在没有人值班" in first.inner_text() and "报警会直接扩大到全站" in first.inner_text()
    assert color(page, '.roster [data-grid="第一网格"] .warning') == RED
    fits(page, viewport)
    shoot(page, web_portal, f"admin-roster-{'phone' if viewport == PHONE else 'desktop'}")

    second.get_by_role("link", name=f"{tag}夜班").click()
    today = page.evaluate("new Date().toLocaleDateString('sv-SE')")  # YYYY-MM-DD in the browser's zone
    page.fill("#first", today)
    page.click("#leave-form button[type=submit]")
    assert "请假已记录" in page.inner_text(".flash")
    page.goto(f"{web_portal.url}/admin/roster")
    second = page.locator('.roster [data-grid="第二网格"]')
    assert "⚠ 现在没有人值班" in second.inner_text()  # on leave today: nobody left in that grid
    assert "请假中" in second.locator(f'[data-username="night-{viewport["width"]}"]').inner_text()
    page.context.close()


def test_the_devices_page_reads_on_a_phone(web_portal: LivePortal, chromium: Any) -> None:
    page = open_page(chromium, web_portal, "admin", "anxin-admin", PHONE)
    page.goto(f"{web_portal.url}/admin/devices")
    page.select_option("#kind", "bridge")
    page.fill("#device-name", "三号楼一层走廊手环网关")
    page.click("#new-device button[type=submit]")
    assert page.inner_text("#device-token").startswith("axd_")
    name = page.locator("#devices .card", has_text="三号楼一层走廊手环网关").locator(".device-name")
    box = name.bounding_box()
    line = float(page.eval_on_selector(".device-name", "e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert box is not None and box["height"] < 2.5 * line  # one or two lines, never a character a line
    fits(page, PHONE)
    page.context.close()
