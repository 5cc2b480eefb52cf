"""`assistant bench --load-only`: the HTTP load run prints its figures and the server answers every request."""

import asyncio
import json
from urllib.parse import urlsplit

from assistant.config import Settings
from evals.load import Connection, run_load
from tests.web_servers import serving, web_services


def test_a_short_load_run_has_no_errors_and_health_answers_throughout(tmp_path, knowledge_dir, capsys):
    settings = Settings(_env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "var")
    figures = run_load(settings, clients=2, seconds=3)  # the server indexes the empty folder first
    assert figures["requests"] > 0 and figures["errors"] == 0, figures["errors_by_kind"]
    assert figures["health_ok"] >= 3 and figures["health_failed"] == 0
    assert figures["p50_ms"] > 0 and figures["p95_ms"] >= figures["p50_ms"]
    printed = capsys.readouterr().out
    assert "requests/s" in printed and "p95" in printed and "load errors: 0" in printed


def test_the_load_clients_connection_speaks_http_with_gzip_and_keep_alive(sample_services):
    services = web_services(sample_services, processes=0)

    async def exchange(url: str):
        address = urlsplit(url)
        connection = Connection(address.hostname, address.port)
        try:
            status, content = await connection.request(
                "POST", "/api/chat", {"message": "Varjenje", "lang": "sl"}
            )
            answer = json.loads(content)  # gzip on the wire when over 1000 bytes
            again = await connection.request("POST", "/api/chat", {"message": "?" * 5000})  # same connection
            forgotten = await connection.request("DELETE", f"/api/conversations/{answer['conversation_id']}")
            connection.close()
            health = await connection.request("GET", "/health")  # opens a new connection
        finally:
            connection.close()
        return status, answer, again[0], forgotten, health[0]

    with serving(services) as url:
        status, answer, too_long, forgotten, health = asyncio.run(exchange(url))
    assert status == 200 and answer["lang"] == "sl" and answer["sources"]
    assert too_long == 422 and forgotten == (204, b"") and health == 200
