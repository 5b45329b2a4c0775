"""Settings from HUTONG_* environment variables and an optional TOML file.

Precedence (highest first): explicit arguments, environment, the TOML file named by
HUTONG_CONFIG (or ``<data dir>/hutong.toml`` when present), defaults.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

#: N2021 task 6: logs of query, insert, update, delete and export are kept at least six months.
MIN_AUDIT_RETENTION_DAYS = 180


def _toml_path() -> Path | None:
    explicit = os.environ.get("HUTONG_CONFIG")
    if explicit:
        return Path(explicit)
    data_dir = Path(os.environ.get("HUTONG_DATA_DIR", "hutong-data"))
    candidate = data_dir / "hutong.toml"
    return candidate if candidate.exists() else None


class BackupTarget(BaseModel):
    """Where backups are kept: an fsspec URL (a local folder, ``s3://bucket/prefix`` …) and the
    file system's options (e.g. ``endpoint_url`` of an S3-compatible service)."""

    model_config = {"extra": "forbid"}

    url: str = Field(min_length=1)
    options: dict[str, object] = Field(default_factory=dict)


class Settings(BaseSettings):
    """Every knob of a Hutong deployment; each field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="HUTONG_", extra="forbid")

    data_dir: Path = Field(
        Path("hutong-data"), description="Holds the SQLite database, datasets and keys."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is SQLite at <data dir>/hutong.db."
    )
    audit_hash: Literal["sm3", "sha256"] = Field(
        "sm3", description="Hash of the audit chain: SM3 (国密, default) or SHA-256."
    )
    audit_retention_days: int = Field(
        365,
        description="Audit events younger than this are never purged; at least 180 (N2021 task 6).",
    )
    audit_checkpoint_every: int = Field(
        1000, description="Sign a checkpoint of the chain head after this many new events."
    )
    session_idle_minutes: int = Field(
        30, description="Console sessions expire after this idle time."
    )
    lockout_threshold: int = Field(5, description="Failed logins in a row that lock an account.")
    lockout_minutes: int = Field(15, description="How long a locked account stays locked.")
    token_ttl_minutes: int = Field(60, description="Lifetime of API bearer tokens.")
    argon2_time_cost: int = Field(3, description="argon2id time cost for password hashes.")
    argon2_memory_kib: int = Field(
        65536, description="argon2id memory cost (KiB) for password hashes."
    )
    secure_cookies: bool = Field(
        False, description="Mark console cookies Secure (set true behind HTTPS)."
    )
    dataset_cipher: Literal["aes-256-gcm", "sm4-gcm"] = Field(
        "aes-256-gcm",
        description="Cipher of dataset files at rest (N2021 tasks 5, 8): AES-256-GCM, or SM4-GCM "
        "for 国密 deployments (decision 0009).",
    )
    dataset_store: str = Field(
        "",
        description="fsspec URL where dataset versions are published, e.g. s3://bucket/hutong "
        "(install the s3 extra); empty: <data dir>/datasets.",
    )
    encrypt_all_datasets: bool = Field(
        False,
        description="Encrypt every dataset version, not only those holding personal information "
        "or graded important/core.",
    )
    compliance_interval_minutes: int = Field(
        60,
        ge=0,
        description="`hutong serve` runs every compliance rule this often (0: never on a schedule).",
    )
    compliance_dormant_days: int = Field(
        90,
        ge=1,
        description="An enabled account unused this many days is a finding (N2021 task 6).",
    )
    compliance_quality_threshold: float = Field(
        60.0,
        ge=0,
        le=100,
        description="A dataset whose two newest versions score below this is a finding (M2018 §12).",
    )
    compliance_verify_days: int = Field(
        7,
        ge=1,
        description="The audit chain must have been verified successfully within this many days.",
    )
    compliance_denied_per_day: int = Field(
        20, ge=1, description="Denied actions by one account in 24 hours that make a finding."
    )
    compliance_failed_logins_per_day: int = Field(
        10, ge=1, description="Failed logins of one account in 24 hours that make a finding."
    )
    compliance_export_rows_per_day: int = Field(
        1_000_000, ge=1, description="Rows one account may export in 24 hours before a finding."
    )
    complaint_working_days: int = Field(
        15, ge=1, le=60, description="Working days within which a PI complaint is answered."
    )
    release_k: int = Field(
        5,
        ge=2,
        description="k that quasi-identifiers of a public release must reach (N2021 task 8).",
    )
    release_small_cell: int = Field(
        5,
        ge=1,
        description="Cells of an aggregated public table below this count must be withheld, "
        "with complementary cells so that no withheld cell follows from a total.",
    )
    portal_api_per_minute: int = Field(
        600, ge=1, description="Anonymous CKAN API and DCAT requests per client address per minute."
    )
    portal_downloads_per_minute: int = Field(
        60, ge=1, description="Anonymous downloads per client address per minute."
    )
    portal_sql_timeout_seconds: float = Field(
        5.0, gt=0, description="Time limit of one `datastore_search_sql` query."
    )
    monitor_poll_seconds: float = Field(
        1.0,
        gt=0,
        le=5,
        description="How often the detector reads new audit events (alerts within 5 s, issue 16).",
    )
    monitor_batch_size: int = Field(
        5000, ge=1, description="Audit events the detector evaluates per step."
    )
    monitor_rules_dir: Path | None = Field(
        None,
        description="A directory of the deployment's own detection rules (YAML), loaded after "
        "the shipped ones; a malformed file is refused and the others run.",
    )
    backup_targets: dict[str, BackupTarget] = Field(
        default_factory=dict,
        description="Named backup targets (M2018 §13: backups in different places), each an "
        "fsspec URL with options; a backup goes to at least `backup_min_targets` of them.",
    )
    backup_min_targets: int = Field(
        2, ge=1, description="A backup must be sent to at least this many targets."
    )
    backup_drill_sample: int = Field(
        3, ge=1, description="Sealed dataset versions a restore drill opens and counts."
    )
    backup_drill_database_url: str | None = Field(
        None,
        description="PostgreSQL only: an empty scratch database a restore drill may overwrite.",
    )
    query_time_limit_seconds: float = Field(
        60.0,
        gt=0,
        description="Wall-clock limit of one consumer query under a grant, from its start to its "
        "last byte; a query still running is stopped (422 query-time-limit).",
    )
    query_memory_limit: str = Field(
        "1GB",
        pattern=r"^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="Memory one consumer query may use in the engine (DuckDB `memory_limit`, "
        "e.g. 512MB, 2GB); nothing spills to disk, a query that needs more is stopped "
        "(422 query-memory-limit).",
    )
    query_threads: int = Field(2, ge=1, description="Engine threads of one consumer query.")
    host: str = Field("127.0.0.1", description="Address `hutong serve` binds to.")
    port: int = Field(8000, description="Port `hutong serve` listens on.")
    smtp_host: str | None = Field(
        None, description="SMTP server for e-mail notifications; unset: console notifications only."
    )
    smtp_port: int = Field(25, description="Port of the SMTP server.")
    smtp_sender: str = Field("hutong@localhost", description="From address of notification mail.")
    mail_domain: str | None = Field(
        None,
        description="Notification mail goes to <username>@<mail_domain> (Hutong keeps no addresses).",
    )

    @field_validator("audit_retention_days")
    @classmethod
    def _retention_floor(cls, value: int) -> int:
        if value < MIN_AUDIT_RETENTION_DAYS:
            raise ValueError(
                f"audit_retention_days must be at least {MIN_AUDIT_RETENTION_DAYS} (N2021 task 6)"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hutong.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def datasets_dir(self) -> Path:
        return self.data_dir / "datasets"

    def ensure_dirs(self) -> None:
        """Create the data directory tree; keys are readable by the owner only."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.datasets_dir.mkdir(exist_ok=True)
        self.keys_dir.mkdir(exist_ok=True)
        self.keys_dir.chmod(0o700)
