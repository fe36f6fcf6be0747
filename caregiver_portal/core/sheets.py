"""Spreadsheets in and out, pure: the .xlsx (openpyxl) or CSV (UTF-8 or GBK) a centre already keeps, read
into rows of cells that remember what Excel did to them (a date cell, a merged cell); and a table
written back as .xlsx or CSV. No database, no web: the import rules and the routes sit on top.

Whole-file problems (too big, an old .xls, not a spreadsheet, nothing in it, no header) raise
:class:`SheetError` with a message an admin can act on; problems of one cell are left to the rules.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

MAX_BYTES = 5 * 1024 * 1024
"""Bigger uploads are refused before parsing: a roster of 5,000 people is well under 1 MB."""
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
"""An .xlsx is a zip: refuse one that would unpack to more than this (a zip bomb, or a sheet of images)."""
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 20
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(ValueError):
    """The file as a whole cannot be read; the message says what to do, in Chinese."""


@dataclass(frozen=True)
class Cell:
    """One cell as text, with what Excel did to it."""

    text: str
    date: date | None = None
    """Set when Excel stored the cell as a date (a room "3-201" typed into a general cell becomes one)."""
    merged: str = ""
    """The merged range (e.g. "B5:B7") the cell belongs to; only its top-left cell holds the value."""


@dataclass(frozen=True)
class Row:
    """One non-empty row of the sheet: its number as Excel shows it, and its cells by column title."""

    number: int
    cells: dict[str, Cell]

    def text(self, column: str) -> str:
        """The cell's text ("" when the column is absent or the cell empty)."""
        cell = self.cells.get(column)
        return cell.text if cell else ""


@dataclass(frozen=True)
class Table:
    """The rows under the header row, keyed by the canonical column titles found."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    ignored: tuple[str, ...] = ()
    """Header titles that are not known columns (their cells are not read)."""


@dataclass(frozen=True)
class Column:
    """A column a sheet may have: its title, other titles people use for it, and whether it must be there."""

    title: str
    aliases: tuple[str, ...] = ()
    required: bool = False


def read_table(data: bytes, filename: str, columns: Sequence[Column], *, max_bytes: int = MAX_BYTES,
               max_rows: int = MAX_ROWS) -> Table:
    """Read an uploaded .xlsx or .csv into a :class:`Table` of ``columns`` (raises :class:`SheetError`)."""
    if len(data) > max_bytes:
        raise SheetError(f"文件有 {len(data) / 1024 / 1024:.1f} MB，超过 {max_bytes // 1024 // 1024} MB 的上限："
                         "请只保留名单这一张表（删除图片和其他工作表），另存为 .xlsx 或 .csv 后再上传")
    grid = _read_xlsx(data) if data[:4] == b"PK\x03\x04" else _read_other(data, filename)
    return _locate(grid, columns, max_rows=max_rows)


def _read_other(data: bytes, filename: str) -> list[tuple[int, list[Cell]]]:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError("这是旧版 Excel 文件（.xls）：请在 Excel 里“另存为” Excel 工作簿（.xlsx）后再上传")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SheetError("文件名是 .xlsx，但内容不是 Excel 工作簿：文件可能已损坏，请重新导出")
    if not data.strip():
        raise SheetError("文件是空的")
    if b"\x00" in data[:4096]:
        raise SheetError("无法识别这个文件：请上传 Excel 工作簿（.xlsx）或 CSV 文件")
    return _read_csv(_decode(data))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GBK / GB 18030 as Chinese Excel saves CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别 CSV 文件的编码：请另存为 “CSV UTF-8” 或 Excel 工作簿（.xlsx）")


def _read_csv(text: str) -> list[tuple[int, list[Cell]]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    try:
        return [(number, [Cell(value.strip()) for value in values])
                for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    except csv.Error as exc:
        raise SheetError(f"CSV 文件格式有误（{exc}）：请用 Excel 打开后另存为 .xlsx 再上传") from exc


def _read_xlsx(data: bytes) -> list[tuple[int, list[Cell]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SheetError("这个 Excel 文件解压后太大：请只保留名单这一张表，删除图片后另存再上传")
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, SheetError):
            raise
        raise SheetError("无法打开这个 Excel 文件：文件可能已损坏或加了密码，请另存为 .xlsx 后再上传") from exc
    sheet = next((ws for ws in book.worksheets if ws.max_row > 1 or ws.cell(1, 1).value is not None), None)
    if sheet is None:
        raise SheetError("表格里没有内容：第一个工作表是空的")
    return _xlsx_rows(sheet)


def _xlsx_rows(sheet: Worksheet) -> list[tuple[int, list[Cell]]]:
    merged: dict[tuple[int, int], str] = {}
    for ranged in sheet.merged_cells.ranges:
        for row, column in ranged.cells:
            merged[(row, column)] = ranged.coord
    rows = []
    for cells in sheet.iter_rows():
        number = cells[0].row or 0 if cells else 0
        rows.append((number, [_xlsx_cell(cell.value, merged.get((number, index))) for index, cell
                              in enumerate(cells, start=1)]))
    return rows


def _xlsx_cell(value: object, merged: str | None) -> Cell:
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return Cell(day.isoformat(), date=day, merged=merged or "")
    if isinstance(value, time):
        return Cell(value.strftime("%H:%M"), merged=merged or "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return Cell("" if value is None else str(value).strip(), merged=merged or "")


def normalise_title(title: str) -> str:
    """A header as people write it, reduced for matching: no spaces, notes in brackets or * marks."""
    title = re.sub(r"[（(][^）)]*[）)]", "", title)
    return re.sub(r"[\s*＊:：]", "", title).replace("／", "/").replace("\\", "/")


def _locate(grid: list[tuple[int, list[Cell]]], columns: Sequence[Column], *, max_rows: int) -> Table:
    """Find the header row (titles above it are skipped), map its cells to ``columns`` and keep the rows below."""
    known = {normalise_title(name): column.title for column in columns for name in (column.title, *column.aliases)}
    filled = [(number, cells) for number, cells in grid if any(cell.text for cell in cells)]
    if not filled:
        raise SheetError("表格里没有内容")
    header_at = next((i for i, (_, cells) in enumerate(filled[:HEADER_SEARCH_ROWS])
                      if sum(normalise_title(cell.text) in known for cell in cells) >= 2), None)
    if header_at is None:
        raise SheetError("找不到表头：表格第一行应是列名 " + "、".join(c.title for c in columns))
    header_number, header = filled[header_at]
    positions: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        title = known.get(normalise_title(cell.text))
        if title is None:
            if cell.text:
                ignored.append(cell.text)
        elif title in positions:
            raise SheetError(f"第 {header_number} 行的表头里“{title}”出现了两次：请删掉多余的一列")
        else:
            positions[title] = index
    missing = [c.title for c in columns if c.required and c.title not in positions]
    if missing:
        hint = f"（表格里有：{'、'.join(ignored)}）" if ignored else ""
        raise SheetError(f"缺少必填的列：{'、'.join(missing)}{hint}。表头应为：" + "、".join(c.title for c in columns))
    body = filled[header_at + 1:]
    if not body:
        raise SheetError("表格只有表头，没有任何一行数据")
    if len(body) > max_rows:
        raise SheetError(f"表格有 {len(body)} 行，一次最多导入 {max_rows} 行：请分成几个文件")
    rows = tuple(Row(number, {title: cells[index] if index < len(cells) else Cell("")
                              for title, index in positions.items()}) for number, cells in body)
    return Table(columns=tuple(positions), rows=rows, ignored=tuple(ignored))


def duplicates(values: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    """Values given on more than one row, with the row numbers: ``{"0201": [3, 7]}`` (blanks ignored)."""
    seen: dict[str, list[int]] = {}
    for number, value in values:
        if value:
            seen.setdefault(value, []).append(number)
    return {value: numbers for value, numbers in seen.items() if len(numbers) > 1}


def write_xlsx(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A one-sheet workbook with a header row; every cell is text, so Excel keeps codes and phones as written."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(columns))
    for values in rows:
        sheet.append(list(values))
    for column_cells in sheet.columns:
        for cell in column_cells:
            cell.number_format = "@"
        width = max(len(str(cell.value or "")) for cell in column_cells)
        sheet.column_dimensions[get_column_letter(column_cells[0].column or 1)].width = min(60, 4 + 2 * width)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """CSV in UTF-8 with a BOM (Excel then opens the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def is_among(title: str, names: Collection[str]) -> bool:
    """Whether a header ``title`` matches one of ``names`` once normalised."""
    return normalise_title(title) in {normalise_title(name) for name in names}
