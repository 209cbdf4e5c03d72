"""GET /p/{key}: the public progress page a receipt's QR code opens (扫码查询进度).

Outside the API prefix and without credentials: the unguessable key is the only
access. One small HTML page, mobile first, large type, no script. A wrong, old or
malformed key gets the same plain 未找到 page with the same status (404).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from central.api.deps import SessionDep
from central.api.routing import ReleasingRoute
from central.services.progress import ProgressPage, find_progress
from sync.progress import PAGE_PREFIX

router = APIRouter(prefix=PAGE_PREFIX.rstrip("/"), tags=["public"], route_class=ReleasingRoute)

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
"""No caching, no referrer carrying the key, no indexing, nothing but the inline style."""

STYLE = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:16px;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",
sans-serif;font-size:20px;line-height:1.6;color:#111;background:#fff;overflow-wrap:anywhere}
main{max-width:640px;margin:0 auto}
h1{font-size:24px;margin:0 0 12px}
.item{font-size:22px;font-weight:bold;margin:0 0 16px}
.state{font-size:30px;font-weight:bold;color:#0b5d1e;border:3px solid #0b5d1e;
border-radius:8px;padding:12px;margin:0 0 16px}
.next{font-size:22px;background:#fff6d6;padding:12px;border-radius:8px;margin:0 0 16px}
dl{margin:0 0 16px}
dt{color:#444;font-size:18px}
dd{margin:0 0 8px;font-size:22px}
.foot{color:#444;font-size:18px}
"""

NOT_FOUND = "未找到"


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def render_page(page: ProgressPage) -> str:
    """The page of one case: state first, then the next step, then the details."""
    rows = [("申请人", page.name), ("办件编号", page.case_number)]
    details = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in (*rows, *page.dates)
    )
    body = (
        "<h1>办件进度</h1>"
        f'<p class="item">{escape(page.item_name)}</p>'
        f'<p class="state" id="state">{escape(page.state)}</p>'
        f'<p class="next"><b>下一步：</b>{escape(page.next_step)}</p>'
        f"<dl>{details}</dl>"
        '<p class="foot">如有疑问，请联系为您代办的代办员，或拨打政务服务便民热线12345。</p>'
    )
    return _document("办件进度", body)


def render_not_found() -> str:
    """The one answer to every key that opens nothing."""
    return _document(NOT_FOUND, f"<h1>{NOT_FOUND}</h1>")


@router.get("/{key:path}", response_class=HTMLResponse, include_in_schema=False)
def progress_page(key: str, session: SessionDep) -> HTMLResponse:
    """The public progress page of the case with this key, or 未找到 (404)."""
    page = find_progress(session=session, key=key[:64])
    if page is None:
        return HTMLResponse(render_not_found(), status_code=404, headers=HEADERS)
    return HTMLResponse(render_page(page), headers=HEADERS)
