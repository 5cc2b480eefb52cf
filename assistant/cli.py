"""The `assistant` command: each subcommand is a thin call into the library."""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import LANGUAGES, Settings
from assistant.embeddings import describe
from assistant.entries import KINDS
from assistant.search import Filters
from assistant.wiring import Services

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Career-guidance assistant.")
esco_app = typer.Typer(no_args_is_help=True, help="The ESCO classification of occupations and skills.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluations that print figures.")
app.add_typer(esco_app, name="esco")
app.add_typer(eval_app, name="eval")


def services(progress: bool = True) -> Services:
    return Services(Settings(), progress=progress and sys.stderr.isatty())


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def check() -> None:
    """Validate the knowledge folder; list every problem as path:line: field: message."""
    checked = services().check()
    for problem in checked.problems:
        typer.echo(str(problem))
    k = checked.knowledge
    typer.echo(
        f"{len(k.courses)} offerings, {len(k.pages)} guidance pages, {len(checked.problems)} problems",
        err=True,
    )
    raise typer.Exit(1 if checked.problems else 0)


@app.command()
def index() -> None:
    """Index all valid records (incrementally); invalid ones are reported and skipped."""
    started = time.perf_counter()
    report, problems = services().index()
    for problem in problems:
        typer.echo(str(problem), err=True)
    typer.echo(str(report))
    typer.echo(f"indexed in {time.perf_counter() - started:.1f} s; {len(problems)} problems", err=True)
    raise typer.Exit(1 if problems else 0)


@esco_app.command("import")
def esco_import(
    paths: Annotated[list[Path], typer.Argument(help="ESCO CSV zip packages as downloaded", exists=True)],
    skip_index: Annotated[bool, typer.Option("--no-index", help="Store only; index later")] = False,
) -> None:
    """Import ESCO CSV packages (any language, v1.1 or v1.2) and index them."""
    from assistant.esco.importer import counts, import_packages
    from assistant.esco.reader import EscoFormatError

    core = services()
    try:
        report = import_packages(core.engine, paths, progress=core.progress)
    except EscoFormatError as error:
        _fail(str(error))
    for name, count in sorted(report.concepts.items()):
        typer.echo(f"{name}: {count}")
    typer.echo(f"relations: {report.relations}; collections: {report.collections}")
    typer.echo("database: " + ", ".join(f"{k} {v}" for k, v in counts(core.engine).items()))
    if not skip_index:
        index_report, _ = core.index()
        typer.echo(str(index_report))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in any of the six languages")],
    kind: Annotated[str | None, typer.Option(help="course | guidance | occupation | skill")] = None,
    region: Annotated[str | None, typer.Option(help="Region id, e.g. hr-sisak-moslavina")] = None,
    country: Annotated[str | None, typer.Option(help="SI, HR, PL, CZ or HU")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the question and of the titles shown")] = None,
    mode: Annotated[str | None, typer.Option(help="online | onsite | blended")] = None,
    free: Annotated[
        bool | None, typer.Option("--free/--paid", help="Only free (or only paid) offerings")
    ] = None,
    theme: Annotated[str | None, typer.Option(help="green | digital")] = None,
    taught_in: Annotated[str | None, typer.Option(help="Offerings taught in this language")] = None,
    k: Annotated[int, typer.Option("-k", help="Number of hits")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as JSON")] = False,
) -> None:
    """Search courses, guidance pages, occupations and skills."""
    if kind and kind not in KINDS:
        _fail(f"--kind must be one of {', '.join(KINDS)}")
    if lang and lang not in LANGUAGES:
        _fail(f"--lang must be one of {', '.join(LANGUAGES)}")
    filters = Filters(
        region=region, country=country, mode=mode, free=free, theme=theme, taught_in=taught_in, lang=lang
    )
    hits = services().searcher.search(
        query, kinds=(kind,) if kind else KINDS, k=k, lang=lang, filters=filters
    )
    if as_json:
        typer.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("no hits (has `assistant index` been run?)")
    for number, hit in enumerate(hits, start=1):
        typer.echo(f"{number:2}. [{hit.kind}] {hit.title}  ({hit.score:.4f})\n    {hit.url or hit.id}")


def _print_answer(answer, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.text)
    for number, source in enumerate(answer.sources, start=1):
        typer.echo(f"  [{number}] {source.title} — {source.url or source.id}")
    if answer.suggestions:
        typer.echo("  » " + " | ".join(answer.suggestions))


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="A question in any of the six languages")],
    lang: Annotated[str | None, typer.Option(help="Answer in this language (sl, hr, pl, cs, hu, en)")] = None,
    region: Annotated[str | None, typer.Option(help="Region id, e.g. hr-sisak-moslavina")] = None,
    conversation: Annotated[
        str | None, typer.Option(help="Conversation id to continue (default: a new one, forgotten after)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON")] = False,
) -> None:
    """Ask one question and print the answer."""
    from assistant.core import MessageTooLong

    if lang and lang not in LANGUAGES:
        _fail(f"--lang must be one of {', '.join(LANGUAGES)}")
    assistant = services(progress=False).assistant()
    conversation_id = conversation or f"cli:{uuid.uuid4()}"
    try:
        answer = assistant.reply(conversation_id, text, lang=lang, region=region)
    except MessageTooLong as error:
        _fail(str(error))
    finally:
        if conversation is None:
            assistant.forget(conversation_id)
    _print_answer(answer, as_json=as_json)


@app.command()
def chat(
    lang: Annotated[str | None, typer.Option(help="Answer in this language (sl, hr, pl, cs, hu, en)")] = None,
    region: Annotated[str | None, typer.Option(help="Region id, e.g. si-gorenjska")] = None,
) -> None:
    """An interactive conversation that keeps context; an empty line or Ctrl-D ends it."""
    from assistant.core import MessageTooLong

    assistant = services(progress=False).assistant()
    conversation_id = f"cli:{uuid.uuid4()}"
    typer.echo("Type a question (sl, hr, pl, cs, hu, en); an empty line ends the conversation.", err=True)
    first = True
    while True:
        try:
            text = input("> ")
        except EOFError:
            break
        if not text.strip():
            break
        try:
            answer = assistant.reply(conversation_id, text, lang=lang if first else None, region=region)
        except MessageTooLong as error:
            typer.echo(str(error))
            continue
        first = False
        _print_answer(answer, as_json=False)
        typer.echo("")
    assistant.forget(conversation_id)


@app.command()
def telegram() -> None:
    """Run the Telegram bot with long polling (no public address needed); Ctrl-C stops it."""
    import logging

    from telegram.error import InvalidToken, TelegramError

    core = services(progress=False)
    settings = core.settings.telegram
    if settings.token is None:
        _fail(
            "no Telegram bot token: set ASSISTANT_TELEGRAM__TOKEN (create the bot with @BotFather, see README)"
        )
    from channels.telegram.polling import run_polling

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token
    try:
        run_polling(core.assistant(), core.settings)
    except InvalidToken:
        _fail("Telegram rejected the bot token in ASSISTANT_TELEGRAM__TOKEN; check it with @BotFather")
    except TelegramError as error:  # its message never holds the token; InvalidToken's would
        _fail(f"the Telegram Bot API at {settings.api_base_url} failed: {error}")


@app.command()
def unmet(
    days: Annotated[int, typer.Option(help="Requests of the last N days")] = 30,
) -> None:
    """Questions the knowledge could not answer, for staff to add offerings or pages."""
    import datetime as dt

    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    requests = services(progress=False).store.unmet(since=since)
    for request in requests:
        typer.echo(f"{request.at:%Y-%m-%d %H:%M}  {request.lang}  {request.region or '-':22}  {request.text}")
    typer.echo(f"{len(requests)} unmet requests in the last {days} days", err=True)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default ASSISTANT_WEB__HOST)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASSISTANT_WEB__PORT)")] = None,
) -> None:
    """Serve the chat API, the embeddable widget and the standalone page; prints the URL to open."""
    from channels.web.app import create_app
    from channels.web.server import public_url, server, serving_settings

    indexing = services()
    if not any(indexing.searcher.sizes().values()):
        typer.echo("The index is empty: indexing the knowledge folder first (about a minute)…", err=True)
        _, problems = indexing.index()
        for problem in problems:
            typer.echo(str(problem), err=True)
    core = Services(serving_settings(indexing.settings), progress=False)
    host = host or core.settings.web.host
    port = port or core.settings.web.port
    url = public_url(core, host=host, port=port)

    def ready() -> None:
        typer.echo(f'Open {url}  (embed: <script src="{url}widget.js" async></script>; Ctrl-C stops)')

    server(create_app(core), host=host, port=port, on_ready=ready).run()


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path, typer.Argument(help="JSON Lines dataset", exists=True)],
    k: Annotated[int, typer.Option("-k", help="Hits per question")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Hit@1/5/10 and MRR@10 per language and overall."""
    from evals.retrieval import evaluate, format_table, load_cases

    try:
        cases = load_cases(dataset)
    except ValueError as error:
        _fail(str(error))
    result = evaluate(services(progress=False).searcher, cases, k=k)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))


@eval_app.command("dialogue")
def eval_dialogue(
    dataset: Annotated[Path, typer.Argument(help="JSON Lines of scripted conversations", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Language, intent, citations and grounding checked on every turn of scripted conversations."""
    from evals.dialogue import evaluate, format_table, load_dialogues

    try:
        dialogues = load_dialogues(dataset)
    except ValueError as error:
        _fail(str(error))
    result = evaluate(services(progress=False).assistant(), dialogues)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))


@app.command()
def bench(
    esco: Annotated[
        list[Path] | None, typer.Option(help="ESCO zips to import and index (default: what is imported)")
    ] = None,
    queries: Annotated[int, typer.Option(help="Search queries and reply turns to time")] = 500,
    reply_only: Annotated[
        bool, typer.Option("--reply-only", help="Only time replies, over the index already built")
    ] = False,
    load_only: Annotated[
        bool, typer.Option("--load-only", help="Only the HTTP load run, over the index already built")
    ] = False,
    clients: Annotated[int, typer.Option(help="Concurrent clients of the HTTP load run")] = 32,
    load_seconds: Annotated[float, typer.Option(help="Length of the HTTP load run; 0 skips it")] = 60.0,
) -> None:
    """Measure indexing, search and reply latency and memory, then load the web API; prints figures."""
    from evals.bench import run_bench, run_reply_bench
    from evals.load import run_load

    typer.echo(f"embedding: {describe(Settings().embedding)}")
    if reply_only:
        figures = run_reply_bench(services(progress=False), queries)
        typer.echo(json.dumps(figures, indent=2))
    elif not load_only:
        run_bench(Settings(), esco_paths=esco or [], queries=queries)
    if load_only or (not reply_only and load_seconds > 0):
        run_load(Settings(), clients=clients, seconds=load_seconds)


if __name__ == "__main__":
    app()
