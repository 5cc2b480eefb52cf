"""The standalone page (`/`, for a campaign link or a QR code), the widget's files and its texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.config import LANGUAGES
from assistant.i18n import messages
from assistant.records import REGIONS
from channels.web.language import request_language

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined)
)
# Sites pick up a new widget within minutes; its texts change less often.
WIDGET_CACHE = {"Cache-Control": "public, max-age=300"}
STRINGS_CACHE = {"Cache-Control": "public, max-age=3600"}

router = APIRouter(include_in_schema=False)


def widget_strings(lang: str, *, max_message_chars: int) -> dict[str, Any]:
    """The widget's texts in one language, the ESCO statement, each language's own name, the length limit."""
    names = {code: messages().t(code, "language_name") for code in LANGUAGES}
    return {
        "lang": lang,
        "max_message_chars": max_message_chars,
        "strings": {**messages("web").tables[lang], "esco": messages().t(lang, "esco_attribution")},
        "languages": [[code, name[:1].upper() + name[1:]] for code, name in names.items()],
    }


@router.get("/", response_class=HTMLResponse)
async def standalone_page(request: Request, lang: str | None = None, region: str | None = None):
    """The assistant full screen: `/?lang=hr&region=hr-sisak-moslavina` for a campaign link."""
    page_lang = request_language(request, lang)
    return TEMPLATES.TemplateResponse(
        request,
        "page.j2",
        {
            "lang": page_lang,
            "region": region if region in REGIONS else "",
            "t": messages("web").tables[page_lang],
        },
    )


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    return FileResponse(
        STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=WIDGET_CACHE
    )


@router.get("/widget.css")
async def widget_style() -> FileResponse:
    return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8", headers=WIDGET_CACHE)


@router.get("/widget/strings/{lang}.json")
async def strings(lang: str, request: Request) -> JSONResponse:
    if lang not in LANGUAGES:
        raise HTTPException(404, detail=f"no texts for {lang!r}; languages: {', '.join(LANGUAGES)}")
    limit = request.app.state.services.settings.conversations.max_message_chars
    return JSONResponse(widget_strings(lang, max_message_chars=limit), headers=STRINGS_CACHE)
