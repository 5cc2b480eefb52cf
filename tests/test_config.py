"""Settings: every one documented in .env.example, read from the environment with nested sections."""

from pathlib import Path

from pydantic import BaseModel

from assistant.config import Settings

ENV_EXAMPLE = Path(__file__).parent.parent / ".env.example"


def _names(model: type[BaseModel], prefix: str) -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented_in_env_example():
    documented = {
        line.split("=")[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert _names(Settings, "ASSISTANT_") == documented


def test_env_example_values_are_the_defaults():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    defaults = Settings(_env_file=None)
    assert float(values["ASSISTANT_SEARCH__LEXICAL_WEIGHT"]) == defaults.search.lexical_weight
    assert values["ASSISTANT_EMBEDDING__BACKEND"] == defaults.embedding.backend


def test_nested_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA__URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("ASSISTANT_SEARCH__K", "3")
    settings = Settings(_env_file=None)
    assert settings.chroma.url == "http://127.0.0.1:9000" and settings.search.k == 3
    assert settings.resolved_database_url == "sqlite:///var/assistant.db"


def test_web_processes_empty_means_one_per_core(monkeypatch):
    monkeypatch.setenv("ASSISTANT_WEB__PROCESSES", "")
    assert Settings(_env_file=None).web.processes is None
    monkeypatch.setenv("ASSISTANT_WEB__PROCESSES", "0")
    assert Settings(_env_file=None).web.processes == 0
