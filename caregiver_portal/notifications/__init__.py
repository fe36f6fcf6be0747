"""Notifications to chat bots and webhooks through a transactional outbox.

- :mod:`.outbox`    rows written in the transaction of the alert change
- :mod:`.messages`  the minimal text a bot message carries (PIPL: no health data by default)
- :mod:`.channels`  per-vendor request format and signature (WeCom, DingTalk, Feishu, webhook)
- :mod:`.sender`    the ticker's sender: claim, rate limit, group, send with retries, record
"""
