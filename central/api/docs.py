"""The API's own documentation (``/docs``, ``/redoc``): served offline, summarised in Chinese.

The pages and their scripts come from the ``fastapi-offline`` package (no CDN: a
county network often has no internet). Each operation's summary is a short
Chinese line, set here in one table rather than in every route module; the
longer English description stays the route's docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from sync.protocol import API_PREFIX

DESCRIPTION = "县级代办中心端接口：服务站注册、同步（推送/拉取）、附件、离线包、县级管理与统计。"
"""The API's description on the documentation page."""

TAGS = [
    {"name": "enroll", "description": "服务站注册"},
    {"name": "sync", "description": "同步"},
    {"name": "auth", "description": "登录会话"},
    {"name": "blobs", "description": "附件（扫描件）"},
    {"name": "bundles", "description": "离线包"},
    {"name": "catalog", "description": "事项目录"},
    {"name": "admin", "description": "县级管理"},
    {"name": "dashboard", "description": "县级看板"},
    {"name": "reports", "description": "报表"},
    {"name": "loops", "description": "闭环处理"},
    {"name": "public", "description": "公开页面"},
    {"name": "health", "description": "运行状态"},
]

SUMMARIES: dict[tuple[str, str], str] = {
    ("POST", "/enroll"): "服务站注册",
    ("POST", "/hello"): "服务站报到",
    ("POST", "/token/renew"): "过期令牌续期",
    ("POST", "/auth/session"): "登录",
    ("DELETE", "/auth/session"): "退出登录",
    ("POST", "/push"): "推送事件",
    ("GET", "/pull"): "拉取事件",
    ("POST", "/sync"): "一次同步（报到、推送首批、拉取首页）",
    ("GET", "/blobs/{sha256}/status"): "附件上传进度",
    ("HEAD", "/blobs/{sha256}"): "附件是否齐全",
    ("GET", "/blobs/{sha256}"): "下载附件",
    ("PUT", "/blobs/{sha256}"): "上传附件分块",
    ("GET", "/blobs/{sha256}/case/{case_id}"): "下载案件附件",
    ("POST", "/bundles"): "导入离线包",
    ("GET", "/catalog"): "当前目录版本",
    ("GET", "/catalog/file"): "下载目录文件",
    ("POST", "/admin/catalog"): "发布目录",
    ("GET", "/admin/catalog/versions"): "目录历史版本",
    ("GET", "/admin/divisions"): "行政区划表",
    ("POST", "/admin/enrollment-codes"): "签发注册码",
    ("GET", "/admin/enrollment-codes"): "未使用的注册码",
    ("POST", "/admin/enrollment-codes/{ref}/cancel"): "作废注册码",
    ("GET", "/admin/stations"): "服务站列表",
    ("POST", "/admin/stations/{station_id}/revoke"): "吊销服务站",
    ("POST", "/admin/stations/{station_id}/unrevoke"): "撤销吊销（7 天内）",
    ("GET", "/admin/users"): "账号列表",
    ("POST", "/admin/users"): "新增账号",
    ("POST", "/admin/users/{username}/disable"): "停用账号",
    ("POST", "/admin/users/{username}/enable"): "启用账号",
    ("POST", "/admin/users/{username}/password"): "重置密码",
    ("GET", "/admin/reconcile"): "对账",
    ("GET", "/admin/stats"): "统计",
    ("GET", "/admin/dashboard"): "看板数据",
    ("GET", "/admin/dashboard/cases"): "看板明细",
    ("GET", "/admin/reports/{kind}"): "导出报表",
    ("GET", "/loops/outcomes"): "闭环结果",
    ("GET", "/loops"): "闭环事项列表",
    ("GET", "/loops/{item_id}"): "闭环事项详情",
    ("POST", "/loops/{item_id}/assign"): "分派",
    ("POST", "/loops/{item_id}/steps/{action}"): "记录回访、整改或反馈",
    ("POST", "/loops/{item_id}/appeal"): "申诉复核",
    ("POST", "/loops/{item_id}/appeal-decision"): "申诉决定",
    ("POST", "/loops/{item_id}/close"): "办结",
    ("GET", "/p/{key}"): "扫码查询进度",
}
"""Chinese summaries by method and path below ``API_PREFIX`` (routes outside it set their own)."""


def chinese_summaries(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the Chinese summary on every operation of ``schema`` that has one in :data:`SUMMARIES`.

    Args:
        schema: an OpenAPI document (changed in place).

    Returns:
        The same document.
    """
    for path, operations in schema.get("paths", {}).items():
        short = path.removeprefix(API_PREFIX)
        for method, operation in operations.items():
            summary = SUMMARIES.get((method.upper(), short))
            if summary and isinstance(operation, dict):
                operation["summary"] = summary
    return schema


def install_summaries(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the Chinese summaries (built once, then cached by FastAPI)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = chinese_summaries(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
