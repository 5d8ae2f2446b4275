"""Where an export goes: one small writer per kind of target, each holding one transaction.

A target reads a table back (its layout and rows), writes a :class:`TableChange`, and commits once;
closing it without a commit leaves the previous export as it was.

- SQLite (a ``.db`` / ``.sqlite`` path or ``sqlite:///``) and PostgreSQL (``postgresql://``) through
  SQLAlchemy Core: the whole run is one transaction, DDL included (SQLite's ``BEGIN IMMEDIATE`` is
  emitted by hand: Python's sqlite3 would otherwise commit each CREATE TABLE on its own).
- DuckDB (``duckdb:///file.duckdb``): one DuckDB transaction; new rows go in as Arrow tables.
- Parquet (``parquet:///folder``): one file per table. The folder is rebuilt beside itself and
  swapped in with two renames; a run that died between them is put right by the next one.

The layout of each table (column names and types) is kept beside it (``track_xls_tables``, or the
Parquet file's metadata), so a table of the same name that track-xls did not make is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Protocol

from ..core.errors import FileProblem
from ..core.export_diff import TableChange
from ..core.export_rows import Field, TableRows

LAYOUT = "track_xls_tables"
PG_LOCK = 0x7472_6B78  # pg_advisory_xact_lock key: two exports to one database run one after the other
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
Read = tuple[tuple[Field, ...] | None, list[tuple]]


class Target(Protocol):
    def read(self, table: TableRows) -> Read: ...

    def write(self, change: TableChange) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def target_kind(spec: str) -> str | None:
    """'sqlite', 'postgresql', 'duckdb', 'parquet', or None for a target that is none of them."""
    lower = spec.lower()
    if lower.startswith("sqlite:///") or (("://" not in spec) and lower.endswith(SQLITE_SUFFIXES)):
        return "sqlite"
    for kind, prefixes in (("postgresql", ("postgresql://", "postgresql+psycopg://", "postgres://")),
                           ("duckdb", ("duckdb:///",)), ("parquet", ("parquet:///",))):
        if lower.startswith(prefixes):
            return kind
    return None


def shown(spec: str) -> str:
    """The target as messages show it: a PostgreSQL URL without its password."""
    if target_kind(spec) != "postgresql":
        return spec
    from sqlalchemy.engine import make_url

    return make_url(spec).render_as_string(hide_password=True)


def open_target(spec: str, lang: str, dry_run: bool = False) -> Target:
    kind = target_kind(spec)
    if kind == "duckdb":
        return DuckTarget(Path(spec[len("duckdb:///"):]), spec, lang, dry_run)
    if kind == "parquet":
        return ParquetTarget(Path(spec[len("parquet:///"):]), lang, dry_run)
    if kind == "sqlite" and "://" not in spec:
        spec = f"sqlite:///{Path(spec).resolve()}"
    if kind == "sqlite" and dry_run and not Path(spec[len("sqlite:///"):]).exists():
        return EmptyTarget()  # a dry run creates no file
    return SqlTarget(_pg_url(spec) if kind == "postgresql" else spec, lang)


def _pg_url(spec: str) -> str:
    """psycopg (version 3) is the driver: SQLAlchemy's default for postgresql:// is psycopg2."""
    scheme, rest = spec.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme.lower() in ("postgresql", "postgres") else spec


def _problem(spec: str, lang: str, exc: BaseException) -> FileProblem:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return FileProblem("export_failed", lang=lang, target=shown(spec), reason=reason)


def _foreign(name: str, spec: str, lang: str) -> FileProblem:
    return FileProblem("export_foreign_table", lang=lang, table=name, target=shown(spec))


class EmptyTarget:
    """A target that does not exist yet, for a dry run: every table new."""

    def read(self, table: TableRows) -> Read:
        return None, []

    def write(self, change: TableChange) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


# -- SQLite and PostgreSQL ----------------------------------------------------------------------------------

class SqlTarget:
    def __init__(self, url: str, lang: str):
        import sqlalchemy as sa

        self.sa, self.url, self.lang = sa, url, lang
        try:
            self.engine = sa.create_engine(url)
            if self.engine.dialect.name == "sqlite":
                _sqlite_transactions(self.engine)
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
            if self.engine.dialect.name == "postgresql":
                self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK})
            self.layout = sa.Table(LAYOUT, sa.MetaData(), sa.Column("name", sa.Text, primary_key=True),
                                   sa.Column("fields", sa.Text, nullable=False))
            self.layout.create(self.conn, checkfirst=True)
        except sa.exc.SQLAlchemyError as exc:
            raise _problem(url, lang, exc) from None

    def _table(self, table: TableRows, fields: tuple[Field, ...]):
        sa = self.sa
        types = {"text": sa.Text, "integer": sa.BigInteger, "real": sa.Float, "boolean": sa.Boolean,
                 "timestamp": sa.DateTime, "date": sa.Date}
        return sa.Table(table.name, sa.MetaData(),
                        *(sa.Column(f.name, types[f.type](), primary_key=f.name in table.key) for f in fields))

    def read(self, table: TableRows) -> Read:
        sa = self.sa
        try:
            stored = self.conn.execute(sa.select(self.layout.c.fields).where(self.layout.c.name == table.name)).scalar()
            exists = sa.inspect(self.conn).has_table(table.name)
            if stored is None and exists:
                raise _foreign(table.name, self.url, self.lang)
            if stored is None or not exists:  # never made, or dropped by hand: made anew
                return None, []
            fields = tuple(Field(*f) for f in json.loads(stored))
            t = self._table(table, fields)
            rows = self.conn.execute(sa.select(*t.columns).order_by(*(t.c[k] for k in table.key))).all()
            return fields, [tuple(r) for r in rows]
        except sa.exc.SQLAlchemyError as exc:
            raise _problem(self.url, self.lang, exc) from None

    def write(self, change: TableChange) -> None:
        sa, table = self.sa, change.table
        t = self._table(table, table.fields)
        names = [f.name for f in table.fields]
        try:
            if change.rebuilt:
                t.drop(self.conn, checkfirst=True)
                t.create(self.conn)
                self.conn.execute(self.layout.delete().where(self.layout.c.name == table.name))
                self.conn.execute(self.layout.insert(), {"name": table.name, "fields": _fields_json(table.fields)})
                fresh = change.rows
            else:
                keys = change.deleted + [table.key_of(r) for r in change.updated]
                if keys:
                    match = sa.and_(*(t.c[k] == sa.bindparam(f"key_{i}") for i, k in enumerate(table.key)))
                    self.conn.execute(t.delete().where(match), [{f"key_{i}": v for i, v in enumerate(k)} for k in keys])
                fresh = change.inserted + change.updated
            if fresh:
                self.conn.execute(t.insert(), [dict(zip(names, r)) for r in fresh])
        except sa.exc.SQLAlchemyError as exc:
            raise _problem(self.url, self.lang, exc) from None

    def commit(self) -> None:
        try:
            self.tx.commit()
        except self.sa.exc.SQLAlchemyError as exc:
            raise _problem(self.url, self.lang, exc) from None

    def close(self) -> None:
        self.conn.close()  # rolls back what was not committed
        self.engine.dispose()


def _sqlite_transactions(engine) -> None:
    """One real transaction, DDL included, holding the write lock from the start (SQLAlchemy's recipe)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_driver_begin(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _fields_json(fields: tuple[Field, ...]) -> str:
    return json.dumps([[f.name, f.type] for f in fields], ensure_ascii=False)


# -- DuckDB ------------------------------------------------------------------------------------------------

DUCK_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "real": "DOUBLE", "boolean": "BOOLEAN",
              "timestamp": "TIMESTAMP", "date": "DATE"}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckTarget:
    def __init__(self, path: Path, spec: str, lang: str, dry_run: bool):
        import duckdb

        self.duckdb, self.spec, self.lang = duckdb, spec, lang
        self.empty = dry_run and not path.exists()
        if self.empty:
            return
        try:
            self.con = duckdb.connect(str(path), read_only=dry_run)
            self.con.begin()
            if not dry_run:
                self.con.execute(f"CREATE TABLE IF NOT EXISTS {LAYOUT} (name VARCHAR PRIMARY KEY, fields VARCHAR NOT NULL)")
        except duckdb.Error as exc:
            raise _problem(spec, lang, exc) from None

    def read(self, table: TableRows) -> Read:
        if self.empty:
            return None, []
        try:
            tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            stored = (self.con.execute(f"SELECT fields FROM {LAYOUT} WHERE name = ?", [table.name]).fetchone()
                      if LAYOUT in tables else None)
            if stored is None and table.name in tables:
                raise _foreign(table.name, self.spec, self.lang)
            if stored is None or table.name not in tables:  # never made, or dropped by hand: made anew
                return None, []
            fields = tuple(Field(*f) for f in json.loads(stored[0]))
            columns = ", ".join(_quoted(f.name) for f in fields)
            order = ", ".join(_quoted(k) for k in table.key)
            return fields, self.con.execute(f"SELECT {columns} FROM {_quoted(table.name)} ORDER BY {order}").fetchall()
        except self.duckdb.Error as exc:
            raise _problem(self.spec, self.lang, exc) from None

    def write(self, change: TableChange) -> None:
        table, name = change.table, _quoted(change.table.name)
        try:
            if change.rebuilt:
                columns = ", ".join(f"{_quoted(f.name)} {DUCK_TYPES[f.type]}" for f in table.fields)
                key = ", ".join(_quoted(k) for k in table.key)
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
                self.con.execute(f"CREATE TABLE {name} ({columns}, PRIMARY KEY ({key}))")
                self.con.execute(f"DELETE FROM {LAYOUT} WHERE name = ?", [table.name])
                self.con.execute(f"INSERT INTO {LAYOUT} VALUES (?, ?)", [table.name, _fields_json(table.fields)])
                fresh = change.rows
            else:
                keys = change.deleted + [table.key_of(r) for r in change.updated]
                if keys:
                    key_fields = tuple(f for f in table.fields if f.name in table.key)
                    self.con.register("gone_keys", arrow_table(key_fields, keys))
                    match = " AND ".join(f"{name}.{_quoted(k)} = gone_keys.{_quoted(k)}" for k in table.key)
                    self.con.execute(f"DELETE FROM {name} USING gone_keys WHERE {match}")
                    self.con.unregister("gone_keys")
                fresh = change.inserted + change.updated
            if fresh:
                self.con.register("fresh_rows", arrow_table(table.fields, fresh))
                self.con.execute(f"INSERT INTO {name} SELECT * FROM fresh_rows")
                self.con.unregister("fresh_rows")
        except self.duckdb.Error as exc:
            raise _problem(self.spec, self.lang, exc) from None

    def commit(self) -> None:
        if not self.empty:
            self.con.commit()

    def close(self) -> None:
        if not self.empty:
            self.con.close()  # rolls back what was not committed


# -- Parquet ------------------------------------------------------------------------------------------------

META_KEY = b"track_xls_fields"


def arrow_table(fields: tuple[Field, ...], rows: list[tuple]):
    import pyarrow as pa

    types = {"text": pa.string(), "integer": pa.int64(), "real": pa.float64(), "boolean": pa.bool_(),
             "timestamp": pa.timestamp("us"), "date": pa.date32()}
    schema = pa.schema([pa.field(f.name, types[f.type]) for f in fields],
                       metadata={META_KEY: _fields_json(fields).encode()})
    columns = list(zip(*rows)) if rows else [()] * len(fields)
    return pa.Table.from_arrays([pa.array(c, type=types[f.type]) for c, f in zip(columns, fields)], schema=schema)


class ParquetTarget:
    """``<folder>/<table>.parquet``. A run writes ``.<folder>.new`` beside it, then renames the old
    folder to ``.<folder>.old`` and the new one into place."""

    def __init__(self, folder: Path, lang: str, dry_run: bool = False):
        self.folder, self.lang = folder.resolve(), lang
        self.new = self.folder.with_name(f".{self.folder.name}.new")
        self.old = self.folder.with_name(f".{self.folder.name}.old")
        self.pending: dict[str, TableChange] = {}
        self.previous = self.folder  # where the previous export is
        if dry_run:
            if not self.folder.exists() and self.old.exists():
                self.previous = self.old
        else:
            self._recover()

    def _recover(self) -> None:
        """A run that died mid-swap: the previous export back in place; leftovers removed."""
        if not self.folder.exists() and self.old.exists():
            self.old.rename(self.folder)
        for leftover in (self.new, self.old):
            if leftover.exists():
                shutil.rmtree(leftover)

    def _file(self, name: str) -> Path:
        return self.previous / f"{name}.parquet"

    def read(self, table: TableRows) -> Read:
        import pyarrow.parquet as pq

        file = self._file(table.name)
        if not file.exists():
            return None, []
        try:
            data = pq.read_table(file)
        except (OSError, ValueError) as exc:
            raise _problem(str(file), self.lang, exc) from None
        stored = (data.schema.metadata or {}).get(META_KEY)
        if stored is None:
            raise _foreign(table.name, str(self.folder), self.lang)
        fields = tuple(Field(*f) for f in json.loads(stored))
        columns = [data.column(f.name).to_pylist() for f in fields]
        return fields, list(zip(*columns))

    def write(self, change: TableChange) -> None:
        self.pending[change.name] = change  # written at commit, into the new folder

    def commit(self) -> None:
        import pyarrow.parquet as pq

        if not self.pending:
            return
        try:
            self.new.mkdir(parents=True)
            for change in self.pending.values():
                pq.write_table(arrow_table(change.table.fields, change.rows), self.new / f"{change.name}.parquet")
            if self.folder.exists():
                for entry in self.folder.iterdir():  # the tables not rewritten, and anything else there
                    if not (self.new / entry.name).exists():
                        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, self.new / entry.name)
            _fsync_tree(self.new)
            if self.folder.exists():
                self.folder.rename(self.old)
            self.new.rename(self.folder)
            shutil.rmtree(self.old, ignore_errors=True)
        except OSError as exc:
            raise _problem(str(self.folder), self.lang, exc) from None

    def close(self) -> None:
        if self.new.exists():
            shutil.rmtree(self.new, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for file in folder.iterdir():
        if file.is_file():
            with open(file, "rb") as f:
                os.fsync(f.fileno())
