"""One program at a time on a durable catalog's directory: each would sell
every event's tickets from its own copy, so a second `Catalog.open` (or a
`ticketpool serve` on the same `--data`) is refused with `CatalogInUse`
until the first lets go: `close()`, the end of its `with` block, or the end
of its process, however it ends."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from ticketpool import Catalog, CatalogError, CatalogInUse, TicketPoolError

# Opens the catalog given as argv[1], says so, and holds it until killed.
HOLDER = textwrap.dedent(
    """
    import sys
    from ticketpool import Catalog

    catalog = Catalog.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.read()
    """
)


def test_a_second_open_in_the_same_process_is_refused_until_the_first_closes(
    tmp_path: pathlib.Path,
) -> None:
    where = tmp_path / "shows"
    first = Catalog.open(where)
    hall = first.add_venue("Barbican", "London", 2_000).id

    with pytest.raises(CatalogInUse) as refused:
        Catalog.open(where)
    assert refused.value.path == str(where)
    assert str(where) in str(refused.value) and "in use" in str(refused.value)
    assert isinstance(refused.value, CatalogError)
    assert isinstance(refused.value, TicketPoolError)
    # The refusal changed nothing: the first is still open and writing.
    assert not first.closed
    first.add_performer("Quartet", "a jazz quartet")

    first.close()
    with Catalog.open(where) as again:
        assert again.venue(hall).name == "Barbican"
        with pytest.raises(CatalogInUse):
            Catalog.open(where)
    # Leaving the `with` block let it go too.
    Catalog.open(where).close()


@pytest.mark.timeout(120)
def test_another_process_holding_the_catalog_keeps_it_until_it_dies(
    tmp_path: pathlib.Path,
) -> None:
    where = tmp_path / "shows"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(where)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert holder.stdout is not None
        # Waits for the holder's own word, not for time to pass.
        line = holder.stdout.readline()
        assert line.strip() == "open", holder.stderr.read() if holder.stderr else ""
        with pytest.raises(CatalogInUse):
            Catalog.open(where)
    finally:
        # A killed holder cannot close: the lock must go with the process.
        holder.kill()
        holder.wait(timeout=60)
    with Catalog.open(where) as mine:
        assert mine.path == where


def test_a_file_where_the_lock_would_go_is_a_catalog_error(tmp_path: pathlib.Path) -> None:
    where = tmp_path / "shows"
    where.mkdir()
    (where / "catalog.lock").mkdir()  # a directory cannot be opened for writing
    with pytest.raises(CatalogError) as failed:
        Catalog.open(where)
    assert not isinstance(failed.value, CatalogInUse)
    assert "cannot lock" in str(failed.value) and str(where) in str(failed.value)
