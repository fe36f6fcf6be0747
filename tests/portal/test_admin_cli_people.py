"""``anxin admin`` for people: the same import as the page (preview, all or nothing, --yes), export and
re-import, the roster, and, as a real process, output that is only the answer (no migration lines).
The other commands run in-process through the same parser and dispatcher (a process costs seconds)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from anxin.admin import run_admin_command
from anxin.cli import build_parser
from caregiver_portal.accounts.models import User
from caregiver_portal.core.db import create_db_engine, create_session_factory
from caregiver_portal.notifications.models import UrgentChannel
from caregiver_portal.notifications.rules import URL_RULE
from caregiver_portal.residents.models import Resident
from caregiver_portal.roster.models import OnCallShift
from tests.conftest import ROOT
from tests.support.sheets import RESIDENT_HEADER, VOLUNTEER_HEADER, residents, xlsx


@dataclass
class Answer:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def admin(capsys: pytest.CaptureFixture[str]) -> Callable[..., Answer]:
    """Run ``anxin admin ARGS`` in this process (stdin is not a terminal, as under CI)."""
    def run(database_url: str, tmp_path: Path, *args: str) -> Answer:
        capsys.readouterr()
        parsed = build_parser().parse_args(["admin", "--database-url", database_url, "--data-dir", str(tmp_path),
                                            *args])
        code = run_admin_command(parsed)
        out, err = capsys.readouterr()
        return Answer(code, out, err)

    return run


def process(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "anxin", "admin", "--database-url", database_url,
                           "--data-dir", str(tmp_path), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_import_preview_then_yes_then_export_and_back(database_url: str, tmp_path: Path,
                                                      admin: Callable[..., Answer]) -> None:
    assert admin(database_url, tmp_path, "create-site", "幸福里").stdout == "站点 #1 幸福里\n"
    bad = tmp_path / "居民.xlsx"
    bad.write_bytes(xlsx([RESIDENT_HEADER, *residents(3), ("李建国", "3号楼502", "1380000", "", "", "", "")]))
    refused = admin(database_url, tmp_path, "import-residents", str(bad), "--site", "幸福里", "--yes")
    assert refused.returncode == 1
    assert "第 5 行 李建国：有错误：「电话」“1380000”位数不对" in refused.stdout
    assert refused.stdout.endswith("有 1 行有错误，没有导入任何数据：改好后再运行一次。\n")

    good = tmp_path / "居民2.csv"
    good.write_bytes(xlsx([RESIDENT_HEADER, *residents(3)]))
    preview = admin(database_url, tmp_path, "import-residents", str(good), "--site", "幸福里")
    assert preview.returncode == 0 and preview.stdout.endswith("确认无误后加 --yes 再运行一次。\n")
    done = process(database_url, tmp_path, "import-residents", str(good), "--site", "幸福里", "--yes")
    assert done.stdout.splitlines()[-1] == "已导入：新建 3，更新 0，不变 0"
    assert done.stderr == ""  # no migration or library lines

    exported = tmp_path / "导出.xlsx"
    admin(database_url, tmp_path, "export-residents", str(exported), "--site", "幸福里")
    again = admin(database_url, tmp_path, "import-residents", str(exported), "--site", "幸福里")
    assert again.stdout.splitlines()[0] == "居民名单 导出.xlsx：共 3 行：新建 0，更新 0，不变 3，有错误 0"
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as session:
        assert session.query(Resident).count() == 3
    engine.dispose()


def test_volunteers_by_sheet_and_by_hand_are_on_call(database_url: str, tmp_path: Path,
                                                      admin: Callable[..., Answer]) -> None:
    admin(database_url, tmp_path, "create-site", "幸福里")
    sheet = tmp_path / "志愿者.xlsx"
    sheet.write_bytes(xlsx([VOLUNTEER_HEADER, ("陈新", "13900000011", "", "第一网格", "", "", "", "")]))
    done = admin(database_url, tmp_path, "import-volunteers", str(sheet), "--site", "幸福里", "--yes")
    assert "新账号 13900000011 的初始密码：" in done.stdout
    made = admin(database_url, tmp_path, "create-user", "zhou", "--role", "volunteer", "--display-name", "周二",
                 "--site", "幸福里", "--password", "password-1", "--phone", "139 0000 0012", "--grid", "第一网格",
                 "--on-call", "工作日 8点-18点")
    assert made.stdout == "用户 #2 zhou（志愿者），值班：周一至周五 08:00-18:00\n"
    weekend = admin(database_url, tmp_path, "set-roster", "13900000011", "周末 全天")
    assert weekend.stdout == "陈新 值班：周六、周日 全天\n"
    leave = admin(database_url, tmp_path, "add-leave", "zhou", "2099-01-02至2099-01-03")
    assert leave.stdout == "周二 请假 2099-01-02 至 2099-01-03，这几天不会被呼叫\n"
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as session:
        zhou = session.query(User).filter_by(username="zhou").one()
        assert zhou.phone == "13900000012" and [g.name for g in zhou.grids] == ["第一网格"]
        assert session.query(OnCallShift).filter_by(user_id=zhou.id).count() == 5
    engine.dispose()


def test_revoking_a_device_asks_first(database_url: str, tmp_path: Path, admin: Callable[..., Answer]) -> None:
    admin(database_url, tmp_path, "create-site", "幸福里")
    admin(database_url, tmp_path, "create-device", "--site", "幸福里", "--kind", "bridge", "--name", "大厅网关")
    refused = admin(database_url, tmp_path, "revoke-device", "1")
    assert refused.returncode == 1 and "确认后加 --yes 再运行" in refused.stderr
    assert admin(database_url, tmp_path, "revoke-device", "1", "--yes").stdout == "设备 #1 大厅网关 的令牌已吊销\n"


def test_urgent_channel_by_command_never_shows_its_secret(database_url: str, tmp_path: Path,
                                                          admin: Callable[..., Answer]) -> None:
    admin(database_url, tmp_path, "create-site", "幸福里")
    common = ("add-urgent-channel", "--site", "幸福里", "--kind", "aliyun_sms", "--name", "短信",
              "--key-id", "LTAI-id", "--key-secret", "s3cret-Key")
    refused = admin(database_url, tmp_path, *common, "--url", "http://dysmsapi.aliyuncs.com/")
    assert refused.returncode == 1 and refused.stderr == f"错误：{URL_RULE}\n"
    malformed = admin(database_url, tmp_path, *common, "--url", "https://dysmsapi.aliyuncs.com/", "--option", "安心")
    assert malformed.returncode == 1 and "选项要写成 名称=值" in malformed.stderr
    added = admin(database_url, tmp_path, *common, "--url", "https://dysmsapi.aliyuncs.com/", "--option",
                  "sign_name=安心", "--option", "template_code=SMS_1", "--position", "2")
    assert added.stdout == "紧急呼叫渠道 #1 短信（阿里云短信），顺序 2\n"
    assert all("s3cret" not in text for answer in (refused, malformed, added)
               for text in (answer.stdout, answer.stderr))
    engine = create_db_engine(database_url)
    try:
        with create_session_factory(engine)() as session:
            channel = session.scalars(select(UrgentChannel)).one()
            assert (channel.kind, channel.key_secret, channel.options, channel.enabled) == (
                "aliyun_sms", "s3cret-Key", {"sign_name": "安心", "template_code": "SMS_1"}, True)
    finally:
        engine.dispose()
