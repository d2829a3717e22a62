"""`caro docs pull|status`: the tldr pages caro writes answers with (tldr-pages contributors, CC BY 4.0)."""

from __future__ import annotations

from pathlib import Path

from .status import Exit, err


def cmd_docs(args) -> int:
    from ..knowledge import docs

    if args.action == "status":
        found = docs.sources()
        if not found:
            print("no tldr pages here: run `caro docs pull` (or `caro docs pull --from tldr-pages.en.zip` offline)")
            return Exit.ERROR
        print(found[0].describe())
        for other in found[1:]:
            print(f"  also: {other.describe()}")
        return Exit.OK
    from ..progress import Transfer

    bar = Transfer("tldr pages", 0)

    def progress(done: int, total: int, final: bool) -> None:
        bar.total = total
        bar.update(done, final)

    try:
        where = Path(args.from_file).expanduser() if args.from_file else None
        if where is None:
            err(f"downloading {args.url or docs.RELEASE_URL}…")
        path, pages = docs.pull(args.url, where, progress)
    except docs.PullError as e:
        err(str(e))
        return Exit.ERROR
    err(f"{pages} common pages checked; tldr pages (tldr-pages contributors, CC BY 4.0) are in {path}")
    print(path)
    return Exit.OK
