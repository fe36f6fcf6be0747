"""Reading a centre's own spreadsheet and checking every row, without a database: what each bad input is
answered with, and what a good sheet would do to the residents and accounts already stored."""

from __future__ import annotations

from datetime import date

import pytest

from caregiver_portal.core.phones import PhoneError, normalise_phone
from caregiver_portal.core.sheets import MAX_BYTES, SheetError, read_table, write_csv, write_xlsx
from caregiver_portal.imports import residents_rules as R
from caregiver_portal.imports import volunteers_rules as V
from caregiver_portal.imports.fields import CellError, ContactSpec, read_consent, read_contacts
from caregiver_portal.roster.rules import ALWAYS, parse_roster
from tests.support.sheets import RESIDENT_HEADER, VOLUNTEER_HEADER, csv_bytes, xlsx

WANG = ("王秀英", "3号楼201", "13800000201", "女儿 王小红 13800000202", "第一网格", "是", "0201")


def plan(data: bytes, name: str = "名单.xlsx", *, stored: tuple[R.StoredResident, ...] = ()) -> R.Plan[R.ResidentRow]:
    table = read_table(data, name, R.COLUMNS)
    return R.plan_residents(table, stored=stored, grids={"第一网格"}, codes_elsewhere={"9999"})


def outcome(data: bytes, **kwargs: object) -> tuple[str, tuple[str, ...]]:
    [only] = plan(data, **kwargs).outcomes  # type: ignore[arg-type]
    return only.action, only.messages


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("13800000201", "13800000201", id="mobile"),
    pytest.param("138-0000-0201", "13800000201", id="mobile-dashes"),
    pytest.param("+86 138 0000 0201", "13800000201", id="plus-86"),
    pytest.param("010-65001234", "010-65001234", id="beijing"),
    pytest.param("(0571)87654321", "0571-87654321", id="four-digit-area"),
    pytest.param("65001234", "65001234", id="local"),
    pytest.param("010-65001234转8", "010-65001234转8", id="extension"),
    pytest.param("", "", id="blank"),
])
def test_phone_numbers_are_written_one_way(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected
    assert normalise_phone(expected) == expected


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("1380000", "位数不对", id="too-short"),
    pytest.param("138000002011", "位数不对", id="too-long"),
    pytest.param("12800000201", "位数不对", id="no-such-mobile-prefix"),
    pytest.param("1.38E+10", "科学计数法", id="excel-scientific"),
    pytest.param("王小红", "不是数字", id="a-name"),
    pytest.param("120", "位数不对", id="emergency-service"),
])
def test_impossible_phone_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(PhoneError, match=reason):
        normalise_phone(text)


@pytest.mark.parametrize(("text", "contacts"), [
    pytest.param("女儿 王小红 13800000202", (ContactSpec("女儿", "王小红", "13800000202"),), id="relation-name-phone"),
    pytest.param("王小红（女儿）138 0000 0202", (ContactSpec("女儿", "王小红", "13800000202"),), id="brackets"),
    pytest.param("女儿 13800000202", (ContactSpec("女儿", "女儿", "13800000202"),), id="no-name"),
    pytest.param("女儿 王小红 13800000202；儿子 王大明 010-65001234",
                 (ContactSpec("女儿", "王小红", "13800000202"), ContactSpec("儿子", "王大明", "010-65001234")),
                 id="two-with-semicolon"),
    pytest.param("王小红13800000202,王大明13900000001",
                 (ContactSpec("", "王小红", "13800000202"), ContactSpec("", "王大明", "13900000001")),
                 id="two-with-comma"),
    pytest.param("", (), id="blank"),
])
def test_emergency_contacts_as_centres_write_them(text: str, contacts: tuple[ContactSpec, ...]) -> None:
    assert read_contacts(text) == contacts
    assert read_contacts("；".join(c.display() for c in contacts)) == contacts


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param("王小红", "没有电话", id="no-phone"),
    pytest.param("女儿 王小红 1380000", "位数不对", id="short-phone"),
])
def test_emergency_contacts_that_cannot_be_called(text: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        read_contacts(text)


@pytest.mark.parametrize(("text", "answer"), [("是", "yes"), ("已签署", "yes"), ("√", "yes"), ("否", "no"),
                                              ("不同意", "no"), ("", "unknown"), ("未签", "unknown")])
def test_consent_answers(text: str, answer: str) -> None:
    assert read_consent(text) == answer


def test_a_good_xlsx_under_a_title_row_creates_every_resident() -> None:
    sheet = xlsx([("幸福里社区居民名单",), RESIDENT_HEADER, WANG], merges=["A1:G1"])
    result = plan(sheet)
    assert [(o.number, o.action) for o in result.outcomes] == [(3, "create")]
    row = result.outcomes[0].row
    assert row == R.ResidentRow(3, "王秀英", "3号楼201", "0201", "13800000201",
                                (ContactSpec("女儿", "王小红", "13800000202"),), "第一网格", "yes")
    assert result.ok and result.new_grids == ()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_utf8_or_gbk(encoding: str) -> None:
    assert outcome(csv_bytes([RESIDENT_HEADER, WANG], encoding=encoding), name="名单.csv") == ("create", ())


@pytest.mark.parametrize(("sheet", "message"), [
    pytest.param(xlsx([("名字", "房间号码"), ("王秀英", "201")]), "找不到表头", id="wrong-columns"),
    pytest.param(xlsx([("姓名", "电话"), ("王秀英", "13800000201")]), "缺少必填的列：楼栋/房间", id="missing-room"),
    pytest.param(xlsx([("姓名", "楼栋/房间", "电话", "手机")]), "“电话”出现了两次", id="column-twice"),
    pytest.param(xlsx([RESIDENT_HEADER]), "只有表头", id="header-only"),
    pytest.param(xlsx([]), "没有内容", id="empty-sheet"),
    pytest.param(xlsx([], sheets=3), "没有内容", id="empty-workbook"),
    pytest.param(b"", "文件是空的", id="empty-file"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel", id="old-xls"),
    pytest.param(b"PK\x03\x04 not really a zip", "无法打开", id="broken-xlsx"),
    pytest.param(b"\x89PNG\r\n\x1a\n\0\0\0", "无法识别", id="a-photo"),
    pytest.param(b"x" * (MAX_BYTES + 1), "超过 5 MB", id="too-big"),
])
def test_whole_file_problems_are_answered_before_any_row(sheet: bytes, message: str) -> None:
    with pytest.raises(SheetError, match=message):
        read_table(sheet, "名单.xlsx" if sheet[:2] == b"PK" else "名单", R.COLUMNS)


def test_a_twenty_megabyte_file_is_refused_quickly_with_its_size() -> None:
    with pytest.raises(SheetError, match=r"文件有 20\.0 MB"):
        read_table(b"0" * (20 * 1024 * 1024), "大文件.csv", R.COLUMNS)


def test_too_many_rows() -> None:
    rows = [RESIDENT_HEADER] + [("某", str(i)) for i in range(5001)]
    with pytest.raises(SheetError, match="一次最多导入 5000 行"):
        read_table(csv_bytes(rows), "x.csv", R.COLUMNS)


@pytest.mark.parametrize(("cells", "message"), [
    pytest.param(("王秀英", date(2026, 3, 5)), "「楼栋/房间」被 Excel 当成了日期（2026-03-05）", id="date-cell"),
    pytest.param(("王秀英", "3-201", "1380000"), "「电话」“1380000”位数不对", id="short-phone"),
    pytest.param(("王秀英", "3-201", "1.38E+10"), "科学计数法", id="phone-lost-digits"),
    pytest.param(("王秀英", "3-201", 13800000201), None, id="phone-as-excel-number-is-fine"),
    pytest.param(("王秀英", "3-201", "", "王小红"), "没有电话", id="contact-without-phone"),
    pytest.param(("王秀英", "3-201", "", "", "", "也许"), "请填 是 或 否", id="odd-consent"),
    pytest.param(("王秀英", "3-201", "", "", "", "", "02/01"), "只能包含数字、字母", id="odd-code"),
    pytest.param(("王秀英", "3-201", "", "", "", "", "9999"), "已被其他站点", id="code-of-another-site"),
    pytest.param(("", "3-201"), "「姓名」是空的", id="no-name"),
])
def test_bad_cells_refuse_their_row_with_the_reason(cells: tuple[object, ...], message: str | None) -> None:
    action, messages = outcome(xlsx([RESIDENT_HEADER, cells]))
    if message is None:
        assert (action, messages) == ("create", ())
        return
    assert action == "error"
    assert any(message in text for text in messages), messages


def test_merged_cells_refuse_the_rows_that_lost_their_value() -> None:
    rows = [RESIDENT_HEADER, ("王秀英", "3-201", "", "", "第一网格"), ("李建国", "3-202", "", "", None),
            ("张桂兰", "3-203", "", "", None)]
    result = plan(xlsx(rows, merges=["E2:E4"]))
    assert [o.action for o in result.outcomes] == ["create", "error", "error"]
    assert result.outcomes[1].messages == ("「网格」在合并单元格 E2:E4 里：请取消合并，每一行都填上完整的内容",)
    assert not result.ok


def test_duplicate_codes_refuse_every_row_that_has_them() -> None:
    rows = [RESIDENT_HEADER, WANG, ("李建国", "3号楼502", "", "", "", "", "0201"),
            ("张桂兰", "5号楼1", "", "", "", "", "")]
    result = plan(xlsx(rows))
    assert [(o.action, o.messages) for o in result.outcomes] == [
        ("error", ("居民码 0201 在第 2、3 行重复",)), ("error", ("居民码 0201 在第 2、3 行重复",)), ("create", ())]
    assert result.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 2}


def test_a_row_with_a_bad_cell_also_says_it_repeats_another() -> None:
    rows = [RESIDENT_HEADER, WANG, ("李建国", "3号楼502", "1380000", "", "", "", "0201")]
    messages = plan(xlsx(rows)).outcomes[1].messages
    assert messages == ("「电话」“1380000”位数不对：手机号是 1 开头的 11 位数字，座机请带区号，如 010-65001234",
                        "居民码 0201 在第 2、3 行重复")


STORED = R.StoredResident(id=7, code="0201", name="王秀英", room="3号楼201", phone="13800000201",
                          contacts=(ContactSpec("女儿", "王小红", "13800000202"),), grid="第一网格", consent="yes")


@pytest.mark.parametrize(("row", "action", "changes"), [
    pytest.param(WANG, "unchanged", (), id="same"),
    pytest.param(WANG[:1] + ("3号楼202",) + WANG[2:], "update", ("楼栋/房间",), id="moved-by-code"),
    pytest.param(WANG[:4] + ("第二网格",) + WANG[5:], "update", ("网格",), id="new-grid"),
    pytest.param(WANG[:6] + ("",), "unchanged", (), id="found-by-name-and-room-without-code"),
    pytest.param(("王秀英", "3号楼209", "", "", "", "", ""), "create", (), id="another-room-is-another-person"),
])
def test_reimporting_updates_by_code(row: tuple[str, ...], action: str, changes: tuple[str, ...]) -> None:
    [result] = plan(xlsx([RESIDENT_HEADER, row]), stored=(STORED,)).outcomes
    assert (result.action, result.changes) == (action, changes)
    if action != "create":
        assert result.target_id == 7 and result.row is not None and result.row.code == "0201"


def test_columns_the_sheet_lacks_leave_stored_values_alone() -> None:
    result = plan(xlsx([("姓名", "楼栋/房间", "居民码"), ("王秀英", "3号楼201", "0201")]), stored=(STORED,))
    assert [o.action for o in result.outcomes] == ["unchanged"]
    assert result.missing_columns == ("电话", "紧急联系人及电话", "网格", "健康数据授权")


def test_withdrawing_consent_is_pointed_out() -> None:
    [result] = plan(xlsx([RESIDENT_HEADER, WANG[:5] + ("否", "0201")]), stored=(STORED,)).outcomes
    assert result.action == "update" and result.messages == ("撤回健康数据授权：将删除已保存的健康数据",)


def test_an_export_reads_back_unchanged_in_both_formats() -> None:
    stored = (STORED, R.StoredResident(id=8, code="0502", name="李建国", room="3号楼502", consent="no"))
    rows = [R.export_row(resident) for resident in stored]
    for data, name in ((write_xlsx("居民", R.TITLES, rows), "x.xlsx"), (write_csv(R.TITLES, rows), "x.csv")):
        assert [o.action for o in plan(data, name, stored=stored).outcomes] == ["unchanged", "unchanged"]


def volunteers(rows: list[tuple[object, ...]], stored: tuple[V.StoredUser, ...] = ()) -> V.Plan[V.VolunteerRow]:
    table = read_table(xlsx([VOLUNTEER_HEADER, *rows]), "志愿者.xlsx", V.COLUMNS)
    return V.plan_volunteers(table, stored=stored, grids={"第一网格"}, usernames_elsewhere={"admin"},
                             today=date(2026, 12, 6))


def test_a_new_volunteer_is_on_call_around_the_clock_unless_the_sheet_says_otherwise() -> None:
    result = volunteers([("李一", "13800000001", "", "第一网格、第二网格", "", "", "", ""),
                         ("周二", "13800000002", "网格员", "第一网格", "工作日 08:00-18:00", "12月24日-26日", "zhou2",
                          "password-1")])
    first, second = (o.row for o in result.outcomes)
    assert first is not None and second is not None
    assert (first.username, first.grids, first.shifts) == ("13800000001", ("第一网格", "第二网格"), ALWAYS)
    assert (second.role, second.shifts, second.leaves) == (
        "caregiver", parse_roster("工作日 08:00-18:00"), ((date(2026, 12, 24), date(2026, 12, 26)),))
    assert result.new_grids == ("第二网格",)


@pytest.mark.parametrize(("cells", "message"), [
    pytest.param(("李一", ""), "「电话」是空的", id="no-phone"),
    pytest.param(("李一", "1380000"), "位数不对", id="bad-phone"),
    pytest.param(("李一", "13800000001", "队长"), "请填 志愿者 或 网格员", id="odd-role"),
    pytest.param(("李一", "13800000001", "", "", "早上"), "「值班时间」", id="odd-roster"),
    pytest.param(("李一", "13800000001", "", "", "", "下周"), "「请假」", id="odd-leave"),
    pytest.param(("李一", "13800000001", "", "", "", "", "admin"), "已被其他站点", id="taken-username"),
    pytest.param(("李一", "13800000001", "", "", "", "", "", "short"), "至少 8 个字符", id="short-password"),
])
def test_bad_volunteer_rows_say_why(cells: tuple[object, ...], message: str) -> None:
    [result] = volunteers([cells]).outcomes
    assert result.action == "error" and any(message in text for text in result.messages), result.messages


def test_a_volunteer_found_by_phone_is_updated_and_an_admin_is_never_touched() -> None:
    stored = (V.StoredUser(3, "li1", "李一", "13800000001", "volunteer", ("第一网格",), ALWAYS),
              V.StoredUser(4, "boss", "管理员", "13800000009", "admin"))
    result = volunteers([("李一", "13800000001", "", "第一网格", "周末 全天"), ("管理员", "13800000009")], stored)
    update, refused = result.outcomes
    assert (update.action, update.changes, update.target_id) == ("update", ("值班时间",), 3)
    assert refused.action == "error" and refused.messages == ("boss 是管理员账号，不能用名单修改",)


def test_same_phone_twice_is_refused_however_it_is_spaced() -> None:
    result = volunteers([("李一", "13800000001"), ("李二", "138 0000 0001")])
    assert [o.messages for o in result.outcomes] == [("电话 13800000001 在第 2、3 行重复",)] * 2


def test_a_leave_cell_excel_turned_into_a_date_is_a_one_day_leave() -> None:
    [result] = volunteers([("李一", "13800000001", "", "", "", date(2026, 12, 24))]).outcomes
    assert result.row is not None and result.row.leaves == ((date(2026, 12, 24), date(2026, 12, 24)),)
