"""``daiban catalog ...``: look into the service-item catalog (事项目录)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from daiban.context import JsonFlag, fail, home, print_json
from daiban.i18n import _ as cli_
from forms.catalog import LEVEL_NAMES, Catalog, CatalogError, ServiceItem, load_catalog
from forms.catalog.check import check_path
from forms.catalog.render import item_json, item_summary
from forms.messages import _

if TYPE_CHECKING:
    from station.services.catalogs import ActiveCatalog

app = typer.Typer(no_args_is_help=True)

CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        help=(
            "A catalog folder, catalog.toml or published .json (default: the station's "
            "catalog, the shipped one until the county publishes)."
        ),
        show_default=False,
    ),
]


def _catalog(path: Path | None) -> Catalog:
    """The catalog at ``path``, else the active one of the station in the data dir."""
    if path is None:
        return _station_catalog().catalog
    try:
        return load_catalog(path)
    except (CatalogError, ValueError, OSError) as exc:
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _station_catalog() -> ActiveCatalog:
    """The station's active catalog (``--data-dir``): the county's download, else the shipped one."""
    from station.services.catalogs import active

    return active(home())


def _item_line(item: ServiceItem) -> str:
    days = f"{item.promised_days}个工作日" if item.promised_days else item.handling_kind
    return f"{item.code}  {item.name}  [{item.item_type}] v{item.version}  {days}"


@app.command("list")
def list_items(catalog: CatalogOption = None, as_json: JsonFlag = False) -> None:
    """List the service items."""
    loaded = _catalog(catalog)
    number = _station_catalog().number if catalog is None else None
    if as_json:
        items = [item_summary(i) for i in loaded.items]
        print_json({"version": loaded.version, "number": number, "items": items})
        return
    published = _("(published number {number})").format(number=number) if number else ""
    typer.echo(f"{loaded.county} 事项目录 {loaded.version}{published}")
    for item in loaded.items:
        typer.echo(_item_line(item))


@app.command("show")
def show_item(
    code: Annotated[str, typer.Argument(help="The item code (事项编码).")],
    catalog: CatalogOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one item: its form fields, materials and rules."""
    try:
        item = _catalog(catalog).get(code)
    except KeyError:
        fail(_("unknown item code {code}").format(code=code))
    if as_json:
        print_json(item_json(item))
        return
    typer.echo(_item_line(item))
    names = LEVEL_NAMES
    typer.echo(
        f"办理：{names[item.path.intake]}收件 → {names[item.path.accept]}受理 → {names[item.path.decide]}办结"
    )
    legal = f"法定{item.legal_days}个工作日" if item.legal_days else "无法定时限"
    typer.echo(f"时限：{legal}，承诺{item.promised_days}个工作日。{item.limit_note}")
    typer.echo(f"收费：{item.fee.text()}")
    typer.echo(f"依据：{item.basis}")
    typer.echo("表单：")
    for spec in item.fields:
        mark = "*" if spec.required else " "
        options = f"（{'/'.join(spec.options)}）" if spec.options else ""
        typer.echo(f"  {mark} {spec.key:<24} {spec.label} [{spec.type}]{options}")
    for group in item.groups:
        typer.echo(f"  {group.key}: {group.label}（{group.min_rows}—{group.max_rows}行）")
        for spec in group.fields:
            typer.echo(f"      {spec.key:<20} {spec.label} [{spec.type}]")
    typer.echo("材料：")
    for material in item.materials:
        flags = "必交" if material.required else "按情形"
        flags += "，可容缺" if material.deferrable else ""
        flags += "，可共享免交" if material.shareable else ""
        kind = "原件" if material.original else "复印件"
        typer.echo(f"  {material.key:<24} {material.name} {kind}{material.copies}份（{flags}）")
    for rule in item.rules:
        typer.echo(f"规则 {rule.id}: {rule.title}")


@app.command("search")
def search_items(
    query: Annotated[str, typer.Argument(help="Chinese text, pinyin or pinyin initials (gljt).")],
    limit: Annotated[int, typer.Option(help="At most this many items.")] = 10,
    catalog: CatalogOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Find items by Chinese, pinyin or initials, best match first."""
    from forms.search import CatalogIndex

    found = CatalogIndex(_catalog(catalog)).search(query, limit)
    if as_json:
        print_json({"query": query, "items": [item_summary(item) for item in found]})
        return
    if not found:
        fail(_("no item matches {query}").format(query=query))
    for item in found:
        typer.echo(_item_line(item))


@app.command("validate")
def validate(
    path: Annotated[
        Path, typer.Argument(help="A catalog folder, catalog.toml, item .toml or published .json.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Check a county's catalog file: every error with its item, field and line."""
    if not path.exists():
        fail(cli_("{path}: not found").format(path=path))
    issues, item_count = check_path(path)
    errors = [issue for issue in issues if issue.severity == "error"]
    if as_json:
        print_json({"ok": not errors, "items": item_count, "issues": [i.as_dict() for i in issues]})
    else:
        for issue in issues:
            typer.echo(str(issue))
        if not errors:
            typer.echo(_("{file}: no problems ({count} items)").format(file=path, count=item_count))
        else:
            count = len(errors)
            typer.echo(
                _("{count} errors, {warnings} warnings").format(
                    count=count, warnings=len(issues) - count
                )
            )
    if errors:
        raise typer.Exit(1)
