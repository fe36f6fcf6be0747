"""The urgent-call providers on 管理 → 通知渠道: listed without their secret, added through the form with the
same checks as ``anxin admin add-urgent-channel`` (POST, redirect, a flash saying what was refused)."""

from __future__ import annotations

import re

from caregiver_portal.notifications.rules import URL_RULE
from tests.portal.conftest import SeededPortal
from tests.security.access import sign_in


def test_admin_adds_an_urgent_channel_and_its_secret_is_never_shown(seeded_portal: SeededPortal) -> None:
    client = seeded_portal.client
    csrf = sign_in(client, "admin", "anxin-admin")
    page = client.get("/admin/channels").text
    assert "还没有紧急电话或短信服务" in page
    site_id = re.search(r'id="urgent-site" name="site_id"><option value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "site_id": site_id, "kind": "aliyun_voice", "name": "语音电话",
            "key_id": "LTAI-id", "key_secret": "s3cret-Key", "options": "tts_code=TTS_1\nshow_number=0571000",
            "position": "1"}
    refused = client.post("/admin/channels/urgent", data=form | {"url": "http://dyvmsapi.aliyuncs.com/"},
                          follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/admin/channels"
    assert URL_RULE in client.get("/admin/channels").text
    malformed = client.post("/admin/channels/urgent", data=form | {"url": "https://dyvmsapi.aliyuncs.com/",
                                                                    "options": "安心"})
    assert "选项要写成 名称=值" in malformed.text and "还没有紧急电话或短信服务" in malformed.text
    added = client.post("/admin/channels/urgent", data=form | {"url": "https://dyvmsapi.aliyuncs.com/"})
    assert "紧急呼叫渠道已添加" in added.text
    card = re.search(r'<li class="card" data-urgent-id="\d+">.*?</li>', added.text, re.S).group(0)  # type: ignore[union-attr]
    assert "语音电话" in card and "阿里云语音电话 · 顺序 1" in card and "使用中" in card
    assert "s3cret" not in added.text and "选项要写成 名称=值" not in added.text
