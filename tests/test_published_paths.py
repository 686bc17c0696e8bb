"""Nothing local in what is published (issue #16).

`evalkit run` on the officer's own programme (tests/own_data.py, two waves, Kota Kupang,
Indonesian), from a project folder under a home folder with a distinctive name
(``home/officer-XYZ/proj``), HOME pointing there: every file the run leaves in the reports
folder (HTML, notebooks and their metadata, summary.xlsx with every XML part, the index,
the archive of the earlier wave, PDFs when made, run records, failures) is scanned for
the absolute paths of the machine that made it: the project, reports, processed and home
folders, the temporary folder they lie in, the checkout evalkit runs from and its
environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import own_data
import pytest

MARKER = "officer-XYZ"
QUARTERS = ("2024-Q1", "2024-Q2")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_texts(data: bytes) -> list[bytes]:
    """A PDF's bytes and each of its streams inflated (those that are Flate-compressed):
    a path could be in the document information or in a page's text."""
    out = [data]
    for raw in PDF_STREAM.findall(data):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def pdf_reader_texts(path: Path) -> list[tuple[str, str]]:
    """What pypdf reads of a PDF: each page's text (a page's glyphs are font codes in the
    streams, not text), the document information and the outline's titles."""
    import pypdf

    reader = pypdf.PdfReader(path)
    out = [(f"page {i + 1}", page.extract_text() or "") for i, page in enumerate(reader.pages)]
    out.append(("information", repr(dict(reader.metadata or {}))))

    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [str(item.title)]

    out.append(("outline", "\n".join(titles(reader.outline))))
    return out


def file_texts(path: Path) -> list[tuple[str, str]]:
    """``(part, text)`` of a published file: an xlsx (or any zip) part by part, a PDF with
    its streams inflated, anything else as its bytes read as UTF-8 (errors replaced)."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        with zipfile.ZipFile(path) as z:
            return [(name, z.read(name).decode("utf-8", "replace")) for name in z.namelist()]
    if path.suffix == ".pdf":
        return [*((f"stream {i}", t.decode("latin-1")) for i, t in enumerate(pdf_texts(data))),
                *pdf_reader_texts(path)]
    return [("", data.decode("utf-8", "replace"))]


def forms(folder: Path) -> set[str]:
    """The ways a published file could name ``folder``: as typed, resolved, as a
    ``file://`` URL, with JSON's escaped slashes."""
    out = set()
    for p in {str(folder), os.path.realpath(folder)}:
        out |= {p, Path(p).as_uri(), p.replace("/", "\\/")}
    return out


def leaks(folder: Path, machine: dict[str, Path]) -> list[str]:
    """``file[part]: which folder`` for every published file under ``folder`` that names
    one of ``machine``'s folders (or the marker of the home folder)."""
    needles = {text: name for name, path in machine.items() for text in forms(path)}
    needles[MARKER] = "home folder's name"
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for part, text in file_texts(path):
            for needle, name in needles.items():
                if needle in text:
                    at = text.index(needle)
                    found.append(f"{path.relative_to(folder)}[{part}]: {name}: "
                                 f"...{text[max(0, at - 80):at + 80]!r}...")
    return found


def test_the_scan_finds_paths_in_every_kind_of_file(tmp_path):
    """The scanner itself: a path in an xlsx part, a compressed PDF stream, a JSON
    string with escaped slashes, a file:// URL; nothing in a clean file."""
    home = tmp_path / "home" / MARKER
    published = tmp_path / "published"
    published.mkdir()
    with zipfile.ZipFile(published / "summary.xlsx", "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", "<c>plain</c>")
        z.writestr("docProps/core.xml", f"<dc:creator>{home}</dc:creator>")
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_outline_item(title=f"Report of {home.as_uri()}", page_number=0)
    writer.write(published / "r.pdf")
    with (published / "s.pdf").open("wb") as f:  # a compressed stream only: read inflated
        f.write(b"%PDF-1.4\n")
        pypdf.PdfWriter().write(f)
        f.write(b"1 0 obj<<>>stream\n" + zlib.compress(str(home).encode()) + b"\nendstream\n")
    (published / "r.json").write_text('{"p": "' + str(home).replace("/", "\\/") + '"}')
    (published / "r.html").write_text(f'<a href="{(home / "x").as_uri()}">x</a>')
    (published / "clean.html").write_text("<p>data/processed</p>")
    found = leaks(published, {"home": home})
    assert {f.split("[")[0] for f in found} == {"summary.xlsx", "r.pdf", "s.pdf", "r.json",
                                                 "r.html"}
    assert any("docProps/core.xml" in f for f in found)
    assert any(f.startswith("r.pdf[outline]") for f in found)
    assert any(f.startswith("s.pdf[stream") for f in found)


def wave_project(raw: Path) -> None:
    """The own-data programme with one folder per wave (``data/raw/waves/<label>/``)."""
    own_data.write_dataset(raw)
    for name in ("survey.csv", "collaboration_ties.csv"):
        (raw / name).unlink()
    for i, label in enumerate(QUARTERS):
        tmp = raw.parent / f".wave-{i}"
        own_data.write_dataset(tmp, seed=own_data.SEED + 1 + i)
        (raw / "waves" / label).mkdir(parents=True)
        for name in ("survey.csv", "collaboration_ties.csv"):
            shutil.copy(tmp / name, raw / "waves" / label / name)
        shutil.rmtree(tmp)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """`evalkit run` from the project folder, HOME the officer's home folder."""
    base = tmp_path_factory.mktemp("published")
    home = base / "home" / MARKER
    proj = home / "proj"
    raw, processed, reports = proj / "data" / "raw", proj / "data" / "processed", proj / "reports"
    wave_project(raw)
    exe = Path(sys.executable).with_name("evalkit")
    env = {**os.environ, "HOME": str(home), "EVALKIT_PSEUDONYM_KEY": "paths-test",
           "COLUMNS": "200"}
    env.pop("EVALKIT_ROOT", None)
    # the PDFs too, when this evalkit prints them (`evalkit run --pdf`, headless Chromium)
    helps = subprocess.run([str(exe), "run", "--help"], capture_output=True, text=True,
                           env={**env, "COLUMNS": "400"}).stdout
    pdf = ["--pdf"] if "--pdf" in helps else []
    proc = subprocess.run(
        [str(exe), "run", "--raw-dir", str(raw), "--processed-dir", str(processed),
         "--reports-dir", str(reports), "-r", "53.71", "--lang", "id", "--jobs", "2", *pdf],
        capture_output=True, text=True, timeout=1800, cwd=proj, env=env)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    import evalkit

    machine = {"project": proj, "reports": reports, "processed": processed, "home": home,
               "temporary folder": base,
               "evalkit's checkout": Path(evalkit.__file__).resolve().parents[2],
               "environment": Path(sys.prefix)}
    return reports, machine, bool(pdf)


@pytest.mark.slow
@pytest.mark.kernel
def test_the_published_files_name_no_folder_of_the_machine(published):
    reports, machine, pdf = published
    names = {p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file()}
    # what the scan covers: the reports of both waves, their notebooks, workbook and index
    for folder in ("", "archive/2024-q1/"):
        assert {f"{folder}53.71-kota-kupang.html", f"{folder}53.71-kota-kupang.ipynb",
                f"{folder}synthesis.html", f"{folder}synthesis.ipynb",
                f"{folder}summary.xlsx", f"{folder}index.html"} <= names, sorted(names)
    if pdf:
        assert {"53.71-kota-kupang.pdf", "synthesis.pdf"} <= names, sorted(names)
        # the scan reads the pages' text, not only their font codes
        assert "Kota Kupang" in dict(file_texts(reports / "53.71-kota-kupang.pdf"))["page 1"]
    assert not leaks(reports, machine), "\n".join(leaks(reports, machine))


@pytest.fixture(scope="module")
def failed(tmp_path_factory, write_notebook):
    """A regional report that fails inside evalkit (its processed folder is empty), run by
    the batch's own code from a project under the officer's home folder."""
    from evalkit.read.regions import get_region
    from evalkit.run.batch import run_region

    base = tmp_path_factory.mktemp("failed")
    home = base / "home" / MARKER
    proj = home / "proj"
    for folder in ("data/raw", "data/processed", "notebooks", "reports"):
        (proj / folder).mkdir(parents=True)
    notebook = write_notebook(
        proj / "notebooks" / "region_evaluation.ipynb",
        "from evalkit.present import report\n"
        "rep = report.load_region_report(region_code, lang, processed_dir)",
        parameters='region_code = "53.71"\nlang = "id"\nprocessed_dir = "data/processed"')
    result = run_region(get_region("53.71"), "id", proj / "reports", proj / "data" / "processed",
                        notebook=notebook)
    import evalkit

    machine = {"project": proj, "home": home, "temporary folder": base,
               "evalkit's checkout": Path(evalkit.__file__).resolve().parents[2],
               "environment": Path(sys.prefix)}
    return result, proj / "reports", machine


@pytest.mark.slow
@pytest.mark.kernel
def test_a_failed_reports_traceback_names_no_folder_of_the_machine(failed):
    result, reports, machine = failed
    assert not result.ok
    names = {p.name for p in reports.iterdir()}
    assert {"53.71-kota-kupang.error.txt", "53.71-kota-kupang.failed.ipynb"} <= names, names
    error = (reports / "53.71-kota-kupang.error.txt").read_text(encoding="utf-8")
    assert "Traceback" in error and "load_region_report" in error  # still says where it failed
    assert not leaks(reports, machine), "\n".join(leaks(reports, machine))


def test_local_folders_become_their_published_names(tmp_path, monkeypatch):
    import evalkit
    from evalkit.present.local_paths import drop_local_paths, machine_folders

    home = tmp_path / "home" / MARKER
    monkeypatch.setenv("HOME", str(home))
    proj = home / "proj"
    source = Path(evalkit.__file__).resolve().parent / "present" / "report.py"
    folders = machine_folders(proj)
    assert [len(f) for f, _ in folders] == sorted((len(f) for f, _ in folders), reverse=True)
    text = (f'  File "{source}", line 117, in load_region_report\n'
            f"FileNotFoundError: {proj / 'data' / 'processed'} is empty; see {home}/notes.txt "
            f"and {proj}; not {home}2/x nor {proj}-old/y")
    out = drop_local_paths(text, folders)
    assert 'File "evalkit/present/report.py", line 117' in out
    assert "FileNotFoundError: data/processed is empty; see ~/notes.txt and .;" in out
    # a longer folder name that starts with a known one is not cut as if it were that one
    assert f"{home}2/x" in out and "~/proj-old/y" in out
    assert drop_local_paths("data/processed is empty", folders) == "data/processed is empty"
    site = Path(__import__("sysconfig").get_paths()["purelib"]) / "papermill" / "execute.py"
    assert drop_local_paths(str(site), folders) == "site-packages/papermill/execute.py"


@pytest.mark.slow
@pytest.mark.kernel
def test_a_processed_folder_outside_any_project_is_not_published(tmp_path, write_notebook,
                                                                  monkeypatch):
    """``--processed-dir`` outside a project: the notebook gets it absolute; the executed
    notebook, its HTML and run record name it from the home folder (``~/shared/...``)."""
    from evalkit.read.regions import get_region
    from evalkit.run.batch import region_parameters, run_region

    home = tmp_path / "home" / MARKER
    processed, reports = home / "shared" / "processed", home / "out"
    for folder in (processed, reports):
        folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("EVALKIT_ROOT", raising=False)
    region = get_region("53.71")
    parameters = region_parameters(region, "id", processed)
    assert parameters["processed_dir"] == str(processed)  # what the kernel needs
    notebook = write_notebook(tmp_path / "region.ipynb", "print(processed_dir)",
                              parameters='region_code = ""\nlang = "id"\nprocessed_dir = ""')
    result = run_region(region, "id", reports, processed, notebook=notebook, key="k",
                        made_from={"parameters": parameters})
    assert result.ok, result.error
    nb = (reports / "53.71-kota-kupang.ipynb").read_text(encoding="utf-8")
    assert "~/shared/processed" in nb  # still says which folder it read
    assert not leaks(reports, {"home": home, "temporary folder": tmp_path}), \
        "\n".join(leaks(reports, {"home": home, "temporary folder": tmp_path}))
