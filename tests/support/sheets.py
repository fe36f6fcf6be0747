"""Spreadsheets as a centre would hand them over, built for tests: .xlsx with openpyxl (dates, merged
cells, a title row above the header) and CSV in a chosen encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

RESIDENT_HEADER = ("姓名", "楼栋/房间", "电话", "紧急联系人及电话", "网格", "健康数据授权", "居民码")
VOLUNTEER_HEADER = ("姓名", "电话", "角色", "网格", "值班时间", "请假", "用户名", "初始密码")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("秀英", "桂兰", "建国", "淑珍", "福生", "玉兰", "德明", "凤英", "志强", "丽华")


def xlsx(rows: Iterable[Sequence[object]], *, merges: Sequence[str] = (), sheets: int = 1) -> bytes:
    """A workbook whose first sheet holds ``rows`` (cells may be ints, dates, None) with ``merges`` merged."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for values in rows:
        sheet.append(list(values))
    for ranged in merges:
        sheet.merge_cells(ranged)
    for number in range(1, sheets):
        book.create_sheet(f"Sheet{number + 1}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[Sequence[object]], *, encoding: str = "utf-8-sig") -> bytes:
    """CSV as Excel saves it: UTF-8 with a BOM, or GBK on a Chinese Windows."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else str(v) for v in values] for values in rows])
    return buffer.getvalue().encode(encoding)


def residents(count: int, *, grids: Sequence[str] = ("第一网格", "第二网格"), start: int = 1) -> list[tuple[str, ...]]:
    """``count`` plausible residents in the import columns, with codes, contacts and consent."""
    rows = []
    for i in range(start, start + count):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        daughter = f"女儿 {name[0]}小{GIVEN[i % 3][0]} 137{i:08d}"
        rows.append((name, f"{i // 20 + 1}号楼{i % 20 + 101}", f"139{i:08d}", daughter, grids[i % len(grids)],
                     "是" if i % 4 else "", f"{i:04d}"))
    return rows
